"""The `seefood` command: detect, eval, model info, serve, sightings, stream, worker."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from seefood import __version__
from seefood.cli.detect import cmd_detect
from seefood.cli.evaluate import cmd_eval
from seefood.cli.model_info import cmd_model_info
from seefood.cli.serve import cmd_serve
from seefood.cli.settings import add_setting_flags, describe
from seefood.cli.sightings import add_sightings_parser
from seefood.cli.stream import cmd_stream
from seefood.cli.worker import cmd_worker
from seefood.detection.runtime import ModelError
from seefood.sightings.store import StoreError


def _environment_help() -> str:
    lines = ["settings (from SEEFOOD_* variables; a command's flags win over them):"]
    for row in describe():
        flag = f"  {row.flag}" if row.commands else ""
        lines.append(f"  {row.variable}{flag}  [{row.default}]")
        lines += [f"      {line}" for line in textwrap.wrap(row.description, 74)]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seefood",
        description="Hotdog or not hotdog: a hot-dog classifier and a COCO object detector, "
        "on images and live video.",
        epilog=_environment_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"seefood {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("detect", help="detect objects in images and files in directories")
    p.add_argument("paths", nargs="+", help="image files or directories (searched recursively)")
    p.add_argument("--json", action="store_true", help="one JSON object per image")
    p.add_argument("--annotate", type=Path, metavar="DIR", help="write annotated copies here")
    add_setting_flags(p, "detect")
    p.set_defaults(func=cmd_detect)

    p = sub.add_parser("eval", help="score the verdict on DIR/hotdog and DIR/not_hotdog")
    p.add_argument("directory", type=Path)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--plot", type=Path, metavar="FILE.png", help="save a precision-recall curve")
    add_setting_flags(p, "eval")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("model", help="about the model")
    msub = p.add_subparsers(dest="model_command", required=True)
    info = msub.add_parser("info", help="which model, its file, checksum, input and classes")
    info.add_argument("--json", action="store_true")
    add_setting_flags(info, "model info")
    info.set_defaults(func=cmd_model_info)

    p = sub.add_parser("stream", help="send a video to a server over WebRTC, print results")
    p.add_argument("source", help="a video file (anything PyAV opens) or 'pattern'")
    p.add_argument("--url", default="http://127.0.0.1:8000", help="the seefood server")
    p.add_argument("--loop", action="store_true", help="play the file again and again")
    p.add_argument("--duration", type=float, default=10.0, help="seconds to stream")
    p.add_argument("--codec", choices=["h264", "vp8"], default="h264")
    p.add_argument(
        "--passthrough",
        action="store_true",
        help="send an .h264 (Annex B) or .ivf (VP8) file's packets as they are, without "
        "decoding and encoding them (key frames only, to follow the server's pace)",
    )
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
        help="host candidate address (repeatable; default: 127.0.0.1 for a loopback URL, "
        "else every interface)",
    )
    p.add_argument("--insecure", action="store_true", help="accept a self-signed certificate")
    p.add_argument("--token", help="the server's access token (default: $SEEFOOD_TOKEN)")
    p.set_defaults(func=cmd_stream)

    p = sub.add_parser("serve", help="run the web app and HTTP API")
    add_setting_flags(p, "serve")
    p.set_defaults(func=cmd_serve)

    add_sightings_parser(sub)

    p = sub.add_parser(
        "worker",
        help="run inference for a seefood server on this machine (a Ray node; "
        "from a checkout: pip install -c constraints.txt '.[ray]')",
    )
    p.add_argument("--address", help="the Ray head's host:port (default: $SEEFOOD_RAY_ADDRESS)")
    p.add_argument(
        "--providers",
        help="onnxruntime execution providers on this machine, e.g. cuda (default: the "
        "server's SEEFOOD_PROVIDERS; the CPU is always the fallback)",
    )
    p.add_argument("--threads", type=int, help="onnxruntime threads (default: --num-cpus)")
    p.add_argument("--num-cpus", type=int, help="cores this node gives Ray (default: all)")
    p.add_argument("--num-gpus", type=int, help="GPUs this node gives Ray (default: all)")
    p.set_defaults(func=cmd_worker)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except (ModelError, StoreError, OSError, RuntimeError, ValueError) as exc:
        print(f"seefood: error: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
