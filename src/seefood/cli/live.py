"""`seefood serve` (the app) and `seefood stream` (the Python WebRTC client)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from seefood.cli.settings import settings_from


def cmd_serve(args: argparse.Namespace) -> int:
    from seefood.server.run import serve

    serve(settings_from(args))
    return 0


def cmd_stream(args: argparse.Namespace) -> int:
    from seefood.contrib.client import StreamClient, file_frames, pattern_frames, run_stream
    from seefood.live.ice import use_host_addresses

    if args.source == "pattern":
        frames = pattern_frames()
    else:
        source = Path(args.source)
        if not source.is_file():
            raise FileNotFoundError(f"no such video file: {source} (or use 'pattern')")
        frames = file_frames(source, loop=args.loop)
    use_host_addresses(args.ice_address, urlparse(args.url).hostname or "")

    def show(message: dict[str, Any]) -> None:
        print(json.dumps(message), flush=True)

    client = StreamClient(
        args.url,
        frames,
        codec=args.codec,
        rotation=args.rotate,
        on_message=show,
        verify_tls=not args.insecure,
        access_token=args.token or os.environ.get("SEEFOOD_TOKEN"),
    )
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
