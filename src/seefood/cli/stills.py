"""`seefood detect`, `seefood eval` and `seefood model info`: still images from files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from seefood.cli.settings import settings_from
from seefood.config import Settings
from seefood.detection.coco import CLASS_LIST_SOURCE
from seefood.detection.model import file_sha256
from seefood.detection.result import DetectionResult
from seefood.detection.settings import build_engine
from seefood.detection.verdict import DEFAULT_THRESHOLDS, Source
from seefood.stills import evaluate
from seefood.stills.files import find_images
from seefood.stills.pipeline import detect_files


def _summary(result: DetectionResult, limit: int = 4) -> str:
    items = [f"{d.class_name} {d.score:.0%}" for d in result.detections[:limit]]
    more = len(result.detections) - limit
    return ", ".join(items) + (f" (+{more})" if more > 0 else "")


def short_path(path: str, width: int) -> str:
    """`path` in at most `width` characters: its end kept (the file name and the folders
    nearest it, which tell hotdog/ from not_hotdog/), the start cut."""
    if len(path) <= width:
        return path
    return "…" + path[-(width - 1) :]


def _annotated_path(out_dir: Path, path: Path, used: set[Path]) -> Path:
    target = out_dir / f"{path.stem}.jpg"
    n = 1
    while target in used:
        target = out_dir / f"{path.stem}-{n}.jpg"
        n += 1
    used.add(target)
    return target


def cmd_detect(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    paths = find_images(args.paths)
    err = Console(stderr=True)
    if not paths:
        err.print("[red]no images found[/red]")
        return 1
    engine = build_engine(settings)
    if args.annotate:
        from seefood.stills.annotate import annotate

        args.annotate.mkdir(parents=True, exist_ok=True)
    table = Table(box=None, pad_edge=False)
    table.add_column("path", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("hot dog", no_wrap=True)
    table.add_column("objects", overflow="fold")
    table.add_column("ms", justify="right", no_wrap=True)
    path_width = max(24, Console().width - 52)  # verdict, score, a few objects and ms fit
    failed = hotdogs = 0
    used: set[Path] = set()
    show_progress = err.is_terminal and len(paths) > 1 and not args.json
    with Progress(console=err, transient=True, disable=not show_progress) as progress:
        task = progress.add_task("detecting", total=len(paths))
        found = detect_files(
            engine,
            paths,
            batch_size=settings.batch_size,
            max_pixels=settings.max_image_pixels,
            full_size=args.annotate is not None,
        )
        for path, result, error, image in found:
            progress.advance(task)
            if result is None:
                failed += 1
                if args.json:
                    print(json.dumps({"path": str(path), "error": error}), flush=True)
                else:
                    shown = short_path(str(path), path_width)
                    table.add_row(shown, "[red]error[/red]", "", error or "", "")
                continue
            hotdogs += result.verdict == "hotdog"
            if args.json:
                print(json.dumps({"path": str(path), **result.to_dict()}), flush=True)
            else:
                hot = result.verdict == "hotdog"
                verdict = "[bold green]hotdog[/bold green]" if hot else "not hotdog"
                score = f"{result.hotdog_score:.2f}"
                ms = f"{result.timings.total:.0f}"
                table.add_row(
                    short_path(str(path), path_width), verdict, score, _summary(result), ms
                )
            if args.annotate and image is not None:
                out = _annotated_path(args.annotate, path, used)
                annotate(image, result).save(out, quality=90)
    if not args.json:
        Console().print(table)
        err.print(
            f"{len(paths)} image{'' if len(paths) == 1 else 's'}: {hotdogs} hotdog, "
            f"{len(paths) - hotdogs - failed} not hotdog"
            + (f", [red]{failed} failed[/red]" if failed else "")
        )
    return 1 if failed else 0


def cmd_eval(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.plot:
        evaluate.plotting()  # before the run, not after it
    pos_paths, neg_paths = evaluate.labelled_images(args.directory)
    engine = build_engine(settings.model_copy(update={"verdict": Source.COMBINED}))
    scores: dict[Path, dict[str, float]] = {}
    errors = 0
    found = detect_files(
        evaluate.AllSources(engine),
        [*pos_paths, *neg_paths],
        batch_size=settings.batch_size,
        max_pixels=settings.max_image_pixels,
    )
    err = Console(stderr=True)
    with Progress(console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("evaluating", total=len(pos_paths) + len(neg_paths))
        for path, result, error, _ in found:
            progress.advance(task)
            if result is None:
                errors += 1
                print(f"skipped {path}: {error}", file=sys.stderr)
            else:
                scores[path] = result.scores
    if not any(p in scores for p in neg_paths):
        raise ValueError(f"{args.directory}: no readable images in not_hotdog/")
    reports = {
        source: _source_report(source, pos_paths, neg_paths, scores, settings)
        for source in (Source.COMBINED, Source.CLASSIFIER, Source.DETECTOR)
    }
    if args.plot and all(r["positives"] for r in reports.values()):
        evaluate.plot_pr({s: r["curve"] for s, r in reports.items()}, args.plot)
    if args.json:
        report: dict[str, Any] = {
            "directory": str(args.directory),
            "positives": reports[Source.COMBINED]["positives"],
            "negatives": reports[Source.COMBINED]["negatives"],
            "errors": errors,
            "models": engine.describe(),
            "verdict": settings.verdict.value,
            "sources": {
                s.value: {k: v for k, v in r.items() if k != "curve"} for s, r in reports.items()
            },
        }
        print(json.dumps(report, indent=2))
        return 0
    _print_eval(args, reports, settings.verdict, errors, engine)
    return 0


def _source_report(
    source: Source,
    pos_paths: list[Path],
    neg_paths: list[Path],
    scores: dict[Path, dict[str, float]],
    settings: Settings,
) -> dict[str, Any]:
    pos = [scores[p][source.value] for p in pos_paths if p in scores]
    neg = [scores[p][source.value] for p in neg_paths if p in scores]
    chosen_threshold = (
        settings.threshold
        if settings.threshold is not None and source is settings.verdict
        else DEFAULT_THRESHOLDS[source]
    )
    chosen = evaluate.confusion(pos, neg, chosen_threshold)
    report: dict[str, Any] = {
        "positives": len(pos),
        "negatives": len(neg),
        "at_threshold": chosen.to_dict(),
        "false_alarms": [
            str(p) for p in neg_paths if p in scores and scores[p][source.value] >= chosen_threshold
        ],
    }
    if pos:
        report["best_f1"] = evaluate.best_f1(pos, neg).to_dict()
        report["average_precision"] = round(evaluate.average_precision(pos, neg), 4)
        report["sweep"] = [c.to_dict() for c in evaluate.sweep(pos, neg)]
        report["curve"] = (pos, neg, chosen)
    return report


def _print_eval(
    args: argparse.Namespace,
    reports: dict[Source, dict[str, Any]],
    verdict: Source,
    errors: int,
    engine: Any,
) -> None:
    out = Console()
    first = reports[Source.COMBINED]
    models = ", ".join(f"{k} {v}" for k, v in engine.describe().items() if k != "verdict")
    out.print(
        f"[bold]{args.directory}[/bold]: {first['positives']} hotdog, {first['negatives']} not "
        f"hotdog" + (f", {errors} unreadable" if errors else "") + f"; {models}"
    )
    table = Table(
        "verdict source", "threshold", "precision", "recall", "F1", "false alarms", "AP", box=None
    )
    for source, r in reports.items():
        c = r["at_threshold"]
        name = f"[bold]{source}[/bold] (in use)" if source is verdict else str(source)
        fa = f"{c['false_positive_rate']:.1%} ({c['fp']} of {r['negatives']})"
        if r["positives"]:
            table.add_row(
                name,
                f"{c['threshold']:g}",
                f"{c['precision']:.3f}",
                f"{c['recall']:.3f}",
                f"{c['f1']:.3f}",
                fa,
                f"{r['average_precision']:.3f}",
            )
        else:
            table.add_row(name, f"{c['threshold']:g}", "", "", "", fa, "")
    out.print(table)
    if not first["positives"]:
        for source, r in reports.items():
            if r["false_alarms"]:
                out.print(f"{source} calls hotdog: " + ", ".join(r["false_alarms"]))
        return
    sweep = Table("threshold", *(f"{s} P / R / FA" for s in reports), box=None)
    rows = zip(*(r["sweep"] for r in reports.values()), strict=True)
    for row in rows:
        cells = [
            f"{c['precision']:.2f} / {c['recall']:.2f} / {c['false_positive_rate']:.2f}"
            for c in row
        ]
        sweep.add_row(f"{row[0]['threshold']:.2f}", *cells)
    out.print(sweep)
    if args.plot:
        out.print(f"precision-recall curves written to {args.plot}")


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
