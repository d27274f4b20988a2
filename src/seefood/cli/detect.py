"""`seefood detect`: objects and the verdict in image files, as a table or JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from seefood.cli.settings import settings_from
from seefood.detection.result import DetectionResult
from seefood.detection.settings import build_engine
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
