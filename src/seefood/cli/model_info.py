"""`seefood model info`: which models, their files, checksums, inputs and classes."""

from __future__ import annotations

import argparse
import json

from rich.console import Console

from seefood.cli.settings import settings_from
from seefood.detection.coco import CLASS_LIST_SOURCE
from seefood.detection.model import file_sha256
from seefood.detection.settings import build_engine


def cmd_model_info(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    engine = build_engine(settings)
    model = engine.detector.model
    width, height = model.input_size
    info = {
        "name": model.metadata.get("seefood.model", model.path.stem),
        "path": str(model.path),
        "sha256": file_sha256(model.path),
        "size_bytes": model.path.stat().st_size,
        "layout": model.layout.value,
        "input": {"width": width, "height": height, "batch": "dynamic" if model.batchable else 1},
        "preprocess": {
            "channels": "BGR" if model.preprocess.bgr else "RGB",
            "mean": model.preprocess.mean,
            "std": model.preprocess.std,
            "letterbox": "centred" if model.preprocess.center else "top-left",
        },
        "classes": model.num_classes,
        "class_list_source": CLASS_LIST_SOURCE,
        "source": model.metadata.get("seefood.source", ""),
        "upstream": model.metadata.get("seefood.upstream", ""),
        "quantized": model.metadata.get("seefood.quantized", "no"),
        "providers": model.session.get_providers(),
        "verdict": engine.source.value,
        "threshold": engine.threshold,
    }
    if engine.classifier is not None:
        classifier = engine.classifier
        info["classifier"] = {
            "name": classifier.name,
            "path": str(classifier.path),
            "sha256": file_sha256(classifier.path),
            "size_bytes": classifier.path.stat().st_size,
            "input": {"width": classifier.side, "height": classifier.side},
            "preprocess": "RGB, (x - 127) / 128",
            "reads": "ImageNet 934 (hotdog) and the food block 923-969",
            "quantized": classifier.metadata.get("seefood.quantized", "no"),
        }
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    # One line per field, never wrapped by us (a sha256 stays whole, to copy); --json for tools.
    out = Console(soft_wrap=True)
    for key, value in info.items():
        shown = json.dumps(value) if isinstance(value, dict | list) else str(value)
        out.print(f"[bold]{key:<17}[/bold] {shown}", highlight=False, markup=True)
    return 0
