"""`seefood serve` (the app) and `seefood stream` (the Python WebRTC client)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from seefood.cli.settings import settings_from
from seefood.server.settings import HttpSettings
from seefood.setting import from_environment
from seefood.types import RGBImage


def cmd_serve(args: argparse.Namespace) -> int:
    from seefood.server.run import serve

    try:
        serve(settings_from(args))
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after its graceful shutdown
        return 0
    return 0


def cmd_stream(args: argparse.Namespace) -> int:
    from seefood.client.paced import SOURCE_FPS, frame_rate
    from seefood.client.reconnect import Outcome, keep_streaming
    from seefood.client.replay import PacketTrack
    from seefood.client.sources import file_frames, pattern_frames
    from seefood.client.stream import Server, StreamClient
    from seefood.live import aiortc_patch
    from seefood.live.ice import is_loopback, use_host_addresses

    frames: Iterator[RGBImage] | None = None
    fps = SOURCE_FPS
    if args.source == "pattern":
        if args.passthrough:
            raise ValueError("--passthrough sends a file: give an .h264 or .ivf file")
        frames = pattern_frames()
    else:
        source = Path(args.source)
        if not source.is_file():
            raise FileNotFoundError(f"no such video file: {source} (or use 'pattern')")
        if args.passthrough:
            PacketTrack(source)  # says at once why the file cannot be sent as it is
        else:
            frames = file_frames(source, loop=args.loop)
            fps = frame_rate(source)  # a 15 fps clip plays at 15
    server_host = urlparse(args.url).hostname or ""
    if args.ice_address:
        use_host_addresses(args.ice_address, server_host)
    elif is_loopback(server_host):
        # A server on this machine may listen on 0.0.0.0 and, like any server beyond
        # loopback, contact no loopback candidate: offer this machine's other addresses too.
        use_host_addresses(["127.0.0.1", *aiortc_patch.aioice_host_addresses()], server_host)
    else:
        use_host_addresses(None, server_host)

    def show(message: dict[str, Any]) -> None:
        print(json.dumps(message), flush=True)

    def say(line: str) -> None:
        print(f"seefood: {line}", file=sys.stderr, flush=True)

    token = from_environment(
        HttpSettings
    ).token  # SEEFOOD_TOKEN: the server's, when it runs here too

    def new_client() -> StreamClient:
        # A file sent as it is gets a new track for each session (a track ends with it).
        return StreamClient(
            Server(args.url, args.token or token, verify_tls=not args.insecure),
            frames if frames is not None else PacketTrack(Path(args.source), loop=args.loop),
            fps=fps,
            codec=args.codec,
            rotation=args.rotate,
            on_message=show,
        )

    outcome = Outcome()
    # Ctrl-C ends the sessions; the summary below still says what they gave.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(keep_streaming(new_client, args.duration, say, outcome))
    messages = outcome.messages
    results = [m for m in messages if m.get("type") == "result"]
    verdicts = {v: sum(m["verdict"] == v for m in results) for v in ("hotdog", "not_hotdog")}
    rtts = sorted(m["rtt_ms"] for m in results if "rtt_ms" in m)
    live = bool(results) and "live" in results[-1]  # the server's verdict over its frames
    closing = [m["reason"] for m in messages if m.get("type") == "closing"]
    if not results and closing:
        say(f"no results: the server closed the session ({closing[-1]})")
    # The summary comes even when it gave up: what it did get is worth knowing (and a
    # newcomer whose server was never reached gets the one line that says so, nothing more).
    if outcome.sent or messages:
        print(
            f"sent {outcome.sent} frames, {len(results)} results "
            f"({verdicts['hotdog']} hotdog, {verdicts['not_hotdog']} not hotdog), "
            f"{sum(m.get('type') == 'dropped' for m in messages)} drop notices"
            + (f", live verdict at the end: {results[-1]['live']['verdict']}" if live else "")
            + (f", round trip median {rtts[len(rtts) // 2]:.0f} ms" if rtts else ""),
            file=sys.stderr,
        )
    if outcome.error is not None:
        say(f"error: {outcome.error}")
        return 2
    return 0 if results else 1
