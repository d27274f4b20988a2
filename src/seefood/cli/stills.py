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
from seefood.config import build_detector
from seefood.detection.coco import CLASS_LIST_SOURCE
from seefood.detection.model import file_sha256
from seefood.detection.result import DetectionResult
from seefood.stills import evaluate
from seefood.stills.files import find_images
from seefood.stills.pipeline import detect_files


def _summary(result: DetectionResult, limit: int = 4) -> str:
    items = [f"{d.class_name} {d.score:.0%}" for d in result.detections[:limit]]
    more = len(result.detections) - limit
    return ", ".join(items) + (f" (+{more})" if more > 0 else "")


def short_path(path: str, width: int) -> str:
    """`path` in at most `width` characters: the file name kept, the middle cut."""
    if len(path) <= width:
        return path
    head, sep, name = path.rpartition("/")
    if len(name) + 2 >= width:  # even the name is too long: keep its end (the suffix)
        return "…" + name[-(width - 1) :]
    room = width - len(name) - 2  # for "…" and "/"
    return f"{head[:room]}…{sep}{name}" if head else name


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
    detector = build_detector(settings)
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
            detector,
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
            f"{len(paths)} images: {hotdogs} hotdog, {len(paths) - hotdogs - failed} not hotdog"
            + (f", [red]{failed} failed[/red]" if failed else "")
        )
    return 1 if failed else 0


def cmd_eval(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    pos_paths, neg_paths = evaluate.labelled_images(args.directory)
    detector = build_detector(settings)
    scores: dict[Path, float] = {}
    errors = 0
    found = detect_files(
        detector,
        [*pos_paths, *neg_paths],
        batch_size=settings.batch_size,
        max_pixels=settings.max_image_pixels,
    )
    for path, result, error, _ in found:
        if result is None:
            errors += 1
            print(f"skipped {path}: {error}", file=sys.stderr)
        else:
            scores[path] = result.hotdog_score
    pos = [scores[p] for p in pos_paths if p in scores]
    neg = [scores[p] for p in neg_paths if p in scores]
    if not pos or not neg:
        raise ValueError(
            f"{args.directory}: need readable images in both hotdog/ ({len(pos)}) "
            f"and not_hotdog/ ({len(neg)})"
        )
    chosen = evaluate.confusion(pos, neg, settings.threshold)
    sweep = evaluate.sweep(pos, neg)
    best = evaluate.best_f1(pos, neg)
    ap = evaluate.average_precision(pos, neg)
    if args.plot:
        evaluate.plot_pr(pos, neg, chosen, args.plot)
    if args.json:
        report: dict[str, Any] = {
            "directory": str(args.directory),
            "positives": len(pos),
            "negatives": len(neg),
            "errors": errors,
            "model": detector.model.path.name,
            "at_threshold": chosen.to_dict(),
            "best_f1": best.to_dict(),
            "average_precision": round(ap, 4),
            "sweep": [c.to_dict() for c in sweep],
        }
        print(json.dumps(report, indent=2))
        return 0
    out = Console()
    out.print(
        f"[bold]{args.directory}[/bold]: {len(pos)} hotdog, {len(neg)} not hotdog"
        + (f", {errors} unreadable" if errors else "")
        + f"; model {detector.model.path.name}"
    )
    c = chosen
    out.print(
        f"at threshold {c.threshold:g}: precision {c.precision:.3f}  recall {c.recall:.3f}  "
        f"F1 {c.f1:.3f}  accuracy {c.accuracy:.3f}"
    )
    confusion = Table("", "predicted hotdog", "predicted not", box=None)
    confusion.add_row("actual hotdog", str(c.tp), str(c.fn))
    confusion.add_row("actual not", str(c.fp), str(c.tn))
    out.print(confusion)
    table = Table("threshold", "precision", "recall", "F1", "FPR", "tp", "fp", "fn", "tn")
    for s in sweep:
        rates = (s.threshold, s.precision, s.recall, s.f1, s.false_positive_rate)
        counts = (s.tp, s.fp, s.fn, s.tn)
        cells = [f"{rates[0]:.2f}", *(f"{r:.3f}" for r in rates[1:]), *map(str, counts)]
        table.add_row(*cells, style="bold" if s is best else "")
    out.print(table)
    out.print(f"best F1 {best.f1:.3f} at threshold {best.threshold:g}; average precision {ap:.3f}")
    if args.plot:
        out.print(f"precision-recall curve written to {args.plot}")
    return 0


def cmd_model_info(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    detector = build_detector(settings)
    model = detector.model
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
        "threshold": detector.threshold,
    }
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    table = Table(box=None, show_header=False)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")  # a sha256 is folded, never cut
    for key, value in info.items():
        shown = json.dumps(value) if isinstance(value, dict) else str(value)
        table.add_row(f"[bold]{key}[/bold]", shown)
    Console().print(table)
    return 0
