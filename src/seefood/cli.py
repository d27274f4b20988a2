"""The `seefood` command: detect, eval, model info, serve."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from seefood import __version__
from seefood.coco import CLASS_LIST_SOURCE
from seefood.config import Settings, build_detector, describe
from seefood.detector import Detector
from seefood.files import find_images
from seefood.images import ImageError, RGBImage, load_for_model
from seefood.model import ModelError, file_sha256
from seefood.result import DetectionResult


def _settings(args: argparse.Namespace) -> Settings:
    keys = ("model", "threshold", "min_score", "threads", "batch_size", "host", "port", "https",
            "ssl_certfile", "ssl_keyfile")  # fmt: skip
    overrides = {k: getattr(args, k) for k in keys if getattr(args, k, None) is not None}
    return Settings(**overrides)


# path, image, error, decode ms, the full image's (width, height)
Loaded = tuple[Path, RGBImage | None, str | None, float, tuple[int, int]]


def _load(path: Path, max_pixels: int, at_least: tuple[int, int] | None) -> Loaded:
    t0 = time.perf_counter()
    try:
        image, size = load_for_model(path, max_pixels=max_pixels, at_least=at_least)
    except ImageError as exc:
        return path, None, str(exc), 0.0, (0, 0)
    except Exception as exc:  # one bad file must never cost the others their results
        return path, None, f"cannot decode: {exc!r}", 0.0, (0, 0)
    return path, image, None, (time.perf_counter() - t0) * 1000, size


def run_detection(
    detector: Detector, paths: Sequence[Path], settings: Settings, *, full_size: bool = False
) -> Iterator[tuple[Path, DetectionResult | None, str | None, RGBImage | None]]:
    """Detect on every path in batches, decoding the next images while the model runs.

    At most two batches are decoded ahead, so memory stays bounded on huge folders. Large
    JPEGs decode at a reduced scale unless `full_size` (for drawing on them); results are
    always in the full image's pixels.
    """
    at_least = None if full_size else detector.model.input_size
    size = settings.batch_size
    with ThreadPoolExecutor(max_workers=2) as pool:
        ahead: deque[Future[Loaded]] = deque()
        todo = iter(paths)
        batch: list[Loaded] = []
        while True:
            while len(ahead) < 2 * size:
                path = next(todo, None)
                if path is None:
                    break
                ahead.append(pool.submit(_load, path, settings.max_image_pixels, at_least))
            if not ahead:
                break
            batch.append(ahead.popleft().result())
            if len(batch) == size:
                yield from _detect_loaded(detector, batch)
                batch = []
        yield from _detect_loaded(detector, batch)


def _detect_loaded(
    detector: Detector, batch: list[Loaded]
) -> Iterator[tuple[Path, DetectionResult | None, str | None, RGBImage | None]]:
    good = [img for _, img, _, _, _ in batch if img is not None]
    results = iter(detector.detect_batch(good))
    for path, img, err, ms, size in batch:
        if img is None:
            yield path, None, err, None
            continue
        result = next(results).rescaled(*size)
        result.timings_ms = {"decode": ms, **result.timings_ms}
        result.timings_ms["total"] += ms
        yield path, result, None, img


def _summary(result: DetectionResult, limit: int = 4) -> str:
    items = [f"{d.class_name} {d.score:.0%}" for d in result.detections[:limit]]
    more = len(result.detections) - limit
    return ", ".join(items) + (f" (+{more})" if more > 0 else "")


def _annotated_path(out_dir: Path, path: Path, used: set[Path]) -> Path:
    target = out_dir / f"{path.stem}.jpg"
    n = 1
    while target in used:
        target = out_dir / f"{path.stem}-{n}.jpg"
        n += 1
    used.add(target)
    return target


def cmd_detect(args: argparse.Namespace) -> int:
    settings = _settings(args)
    paths = find_images(args.paths)
    err = Console(stderr=True)
    if not paths:
        err.print("[red]no images found[/red]")
        return 1
    detector = build_detector(settings)
    if args.annotate:
        from seefood.annotate import annotate

        args.annotate.mkdir(parents=True, exist_ok=True)
    table = Table("path", "verdict", "hot dog", "objects", "ms", box=None, pad_edge=False)
    failed = hotdogs = 0
    used: set[Path] = set()
    show_progress = err.is_terminal and len(paths) > 1 and not args.json
    with Progress(console=err, transient=True, disable=not show_progress) as progress:
        task = progress.add_task("detecting", total=len(paths))
        found = run_detection(detector, paths, settings, full_size=args.annotate is not None)
        for path, result, error, image in found:
            progress.advance(task)
            if result is None:
                failed += 1
                if args.json:
                    print(json.dumps({"path": str(path), "error": error}), flush=True)
                else:
                    table.add_row(str(path), "[red]error[/red]", "", error or "", "")
                continue
            hotdogs += result.verdict == "hotdog"
            if args.json:
                print(json.dumps({"path": str(path), **result.to_dict()}), flush=True)
            else:
                verdict = (
                    "[bold green]hotdog[/bold green]" if result.verdict == "hotdog"
                    else "not hotdog"
                )  # fmt: skip
                table.add_row(
                    str(path), verdict, f"{result.hotdog_score:.2f}", _summary(result),
                    f"{result.timings_ms['total']:.0f}",
                )  # fmt: skip
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
    from seefood import evaluate

    settings = _settings(args)
    pos_paths, neg_paths = evaluate.labelled_images(args.directory)
    detector = build_detector(settings)
    scores: dict[Path, float] = {}
    errors = 0
    for path, result, error, _ in run_detection(detector, [*pos_paths, *neg_paths], settings):
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
        style = "bold" if s is best else ""
        table.add_row(
            f"{s.threshold:.2f}", f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}",
            f"{s.false_positive_rate:.3f}", str(s.tp), str(s.fp), str(s.fn), str(s.tn),
            style=style,
        )  # fmt: skip
    out.print(table)
    out.print(f"best F1 {best.f1:.3f} at threshold {best.threshold:g}; average precision {ap:.3f}")
    if args.plot:
        out.print(f"precision-recall curve written to {args.plot}")
    return 0


def cmd_model_info(args: argparse.Namespace) -> int:
    settings = _settings(args)
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
    for key, value in info.items():
        table.add_row(
            f"[bold]{key}[/bold]", json.dumps(value) if isinstance(value, dict) else str(value)
        )
    Console().print(table)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from seefood.app import create_app
    from seefood.logs import configure

    settings = _settings(args)
    configure(settings.log_level)
    certfile, keyfile = settings.ssl_certfile, settings.ssl_keyfile
    scheme = "http"
    if settings.https or certfile:
        from seefood import aiortc_patch
        from seefood.tls import cache_dir, self_signed

        scheme = "https"
        lan = aiortc_patch.default_host_addresses(include_loopback=False)
        if certfile is None:
            certfile, keyfile = self_signed(cache_dir(), lan)
            print(f"seefood: self-signed certificate {certfile}", file=sys.stderr)
        if settings.host in ("0.0.0.0", "::"):
            for address in lan:
                print(f"seefood: open {scheme}://{address}:{settings.port}/ on a phone "
                      "on this network", file=sys.stderr)  # fmt: skip
    app = create_app(settings)
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_level=settings.log_level,
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
    )  # fmt: skip
    return 0


def cmd_stream(args: argparse.Namespace) -> int:
    import asyncio
    from urllib.parse import urlparse

    from seefood import aiortc_patch
    from seefood.client import StreamClient, file_frames, pattern_frames, run_stream

    if args.source == "pattern":
        frames = pattern_frames()
    else:
        source = Path(args.source)
        if not source.is_file():
            raise FileNotFoundError(f"no such video file: {source} (or use 'pattern')")
        frames = file_frames(source, loop=args.loop)
    aiortc_patch.apply()
    host = urlparse(args.url).hostname or ""
    aiortc_patch.set_host_addresses(
        args.ice_address or aiortc_patch.default_host_addresses(aiortc_patch.is_loopback(host))
    )

    def show(message: dict[str, Any]) -> None:
        print(json.dumps(message), flush=True)

    client = StreamClient(
        args.url, frames, codec=args.codec, rotation=args.rotate, on_message=show,
        verify_tls=not args.insecure,
    )  # fmt: skip
    messages = asyncio.run(run_stream(client, args.duration))
    results = [m for m in messages if m.get("type") == "result"]
    verdicts = {v: sum(m["verdict"] == v for m in results) for v in ("hotdog", "not_hotdog")}
    rtts = sorted(m["rtt_ms"] for m in results if "rtt_ms" in m)
    print(
        f"sent {client.track.sent} frames, {len(results)} results "
        f"({verdicts['hotdog']} hotdog, {verdicts['not_hotdog']} not hotdog), "
        f"{len(messages) - len(results)} drop notices"
        + (f", round trip median {rtts[len(rtts) // 2]:.0f} ms" if rtts else ""),
        file=sys.stderr,
    )
    return 0 if results else 1


def _add_model_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", type=Path, help="ONNX model file (default: shipped NanoDet-g)")
    p.add_argument("--threshold", type=float, help="hot-dog score for a 'hotdog' verdict")
    p.add_argument("--min-score", type=float, help="lowest score reported for other classes")
    p.add_argument("--threads", type=int, help="onnxruntime threads (default: all cores)")


def build_parser() -> argparse.ArgumentParser:
    env = "\n".join(
        f"  {name:<26} {desc} (default: {default or 'none'})" for name, default, desc in describe()
    )
    parser = argparse.ArgumentParser(
        prog="seefood",
        description="Hotdog or not hotdog: COCO object detection on images and live video.",
        epilog=f"environment variables (flags win over them):\n{env}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"seefood {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("detect", help="detect objects in images and files in directories")
    p.add_argument("paths", nargs="+", help="image files or directories (searched recursively)")
    p.add_argument("--json", action="store_true", help="one JSON object per image")
    p.add_argument("--annotate", type=Path, metavar="DIR", help="write annotated copies here")
    p.add_argument("--batch-size", type=int, help="images per model run (default 8)")
    _add_model_flags(p)
    p.set_defaults(func=cmd_detect)

    p = sub.add_parser("eval", help="score the verdict on DIR/hotdog and DIR/not_hotdog")
    p.add_argument("directory", type=Path)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--plot", type=Path, metavar="FILE.png", help="save a precision-recall curve")
    p.add_argument("--batch-size", type=int, help="images per model run (default 8)")
    _add_model_flags(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("model", help="about the model")
    msub = p.add_subparsers(dest="model_command", required=True)
    info = msub.add_parser("info", help="which model, its file, checksum, input and classes")
    info.add_argument("--json", action="store_true")
    _add_model_flags(info)
    info.set_defaults(func=cmd_model_info)

    p = sub.add_parser("stream", help="send a video to a server over WebRTC, print results")
    p.add_argument("source", help="a video file (anything PyAV opens) or 'pattern'")
    p.add_argument("--url", default="http://127.0.0.1:8000", help="the seefood server")
    p.add_argument("--loop", action="store_true", help="play the file again and again")
    p.add_argument("--duration", type=float, default=10.0, help="seconds to stream")
    p.add_argument("--codec", choices=["h264", "vp8"], default="h264")
    p.add_argument("--rotate", type=int, choices=[0, 90, 180, 270], default=0,
                   help="send the pixels turned away and the CVO extension saying so")  # fmt: skip
    p.add_argument("--ice-address", action="append",
                   help="host candidate address (repeatable; default: all but loopback, "
                   "plus 127.0.0.1 for a loopback URL)")  # fmt: skip
    p.add_argument("--insecure", action="store_true", help="accept a self-signed certificate")
    p.set_defaults(func=cmd_stream)

    p = sub.add_parser("serve", help="run the web app and HTTP API")
    p.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to listen on (default 8000)")
    p.add_argument(
        "--https",
        action="store_true",
        default=None,
        help="serve TLS (self-signed unless --ssl-certfile is given)",
    )
    p.add_argument("--ssl-certfile", type=Path, help="TLS certificate (PEM)")
    p.add_argument("--ssl-keyfile", type=Path, help="TLS private key (PEM)")
    _add_model_flags(p)
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except (ModelError, FileNotFoundError, RuntimeError, ValueError) as exc:
        print(f"seefood: error: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
