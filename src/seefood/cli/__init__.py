"""The `seefood` command: detect, eval, model info, serve, stream."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from seefood import __version__
from seefood.cli.live import cmd_serve, cmd_stream
from seefood.cli.stills import cmd_detect, cmd_eval, cmd_model_info
from seefood.config import describe
from seefood.detection.model import ModelError


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
    p.add_argument(
        "--rotate",
        type=int,
        choices=[0, 90, 180, 270],
        default=0,
        help="send the pixels turned away and the CVO extension saying so",
    )
    p.add_argument(
        "--ice-address",
        action="append",
        help="host candidate address (repeatable; default: all but loopback, "
        "plus 127.0.0.1 for a loopback URL)",
    )
    p.add_argument("--insecure", action="store_true", help="accept a self-signed certificate")
    p.add_argument("--token", help="the server's access token (default: $SEEFOOD_TOKEN)")
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
