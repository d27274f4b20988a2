"""`seefood eval`: the verdict scored on DIR/hotdog and DIR/not_hotdog."""

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
from seefood.detection.settings import build_engine
from seefood.detection.verdict import DEFAULT_THRESHOLDS, VerdictSource
from seefood.stills import evaluate
from seefood.stills.pipeline import detect_files


def cmd_eval(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.plot:
        evaluate.plotting()  # before the run, not after it
    pos_paths, neg_paths = evaluate.labelled_images(args.directory)
    engine = build_engine(settings.model_copy(update={"verdict": VerdictSource.COMBINED}))
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
                scores[path] = dict(result.scores)
    if not any(p in scores for p in neg_paths):
        raise ValueError(f"{args.directory}: no readable images in not_hotdog/")
    reports = {
        source: _source_report(source, pos_paths, neg_paths, scores, settings)
        for source in (VerdictSource.COMBINED, VerdictSource.CLASSIFIER, VerdictSource.DETECTOR)
    }
    if args.plot and all(r["positives"] for r in reports.values()):
        evaluate.plot_pr({s: r["curve"] for s, r in reports.items()}, args.plot)
    if args.json:
        report: dict[str, Any] = {
            "directory": str(args.directory),
            "positives": reports[VerdictSource.COMBINED]["positives"],
            "negatives": reports[VerdictSource.COMBINED]["negatives"],
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
    source: VerdictSource,
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
    reports: dict[VerdictSource, dict[str, Any]],
    verdict: VerdictSource,
    errors: int,
    engine: Any,
) -> None:
    out = Console()
    first = reports[VerdictSource.COMBINED]
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
