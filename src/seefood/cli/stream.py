"""`seefood stream`: send a video to a server over WebRTC with the Python client."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from seefood.server.settings import HttpSettings
from seefood.setting import from_environment
from seefood.types import RGBImage

if TYPE_CHECKING:
    from seefood.client.reconnect import Outcome


def _frames(args: argparse.Namespace) -> tuple[Iterator[RGBImage] | None, float]:
    """The frames to send and their rate; None for a file sent as it is (a PacketTrack)."""
    from seefood.client.paced import SOURCE_FPS, frame_rate
    from seefood.client.replay import PacketTrack
    from seefood.client.sources import file_frames, pattern_frames

    if args.source == "pattern":
        if args.passthrough:
            raise ValueError("--passthrough sends a file: give an .h264 or .ivf file")
        return pattern_frames(), SOURCE_FPS
    source = Path(args.source)
    if not source.is_file():
        raise FileNotFoundError(f"no such video file: {source} (or use 'pattern')")
    if args.passthrough:
        PacketTrack(source)  # says at once why the file cannot be sent as it is
        return None, SOURCE_FPS
    return file_frames(source, loop=args.loop), frame_rate(source)  # a 15 fps clip at 15


def _offer_addresses(args: argparse.Namespace) -> None:
    """The host candidates to offer: those given, or the ones this server can contact."""
    from seefood.live import aiortc_patch
    from seefood.live.ice import is_loopback, use_host_addresses

    server_host = urlparse(args.url).hostname or ""
    if args.ice_address:
        use_host_addresses(args.ice_address, server_host)
    elif is_loopback(server_host):
        # A server on this machine may listen on 0.0.0.0 and, like any server beyond
        # loopback, contact no loopback candidate: offer this machine's other addresses too.
        use_host_addresses(["127.0.0.1", *aiortc_patch.aioice_host_addresses()], server_host)
    else:
        use_host_addresses(None, server_host)


def _summary(outcome: Outcome) -> str | None:
    """What the sessions gave, in one line; None when nothing was sent or received."""
    messages = outcome.messages
    if not (outcome.sent or messages):
        return None
    results = [m for m in messages if m.get("type") == "result"]
    verdicts = {v: sum(m["verdict"] == v for m in results) for v in ("hotdog", "not_hotdog")}
    rtts = sorted(m["rtt_ms"] for m in results if "rtt_ms" in m)
    live = bool(results) and "live" in results[-1]  # the server's verdict over its frames
    return (
        f"sent {outcome.sent} frames, {len(results)} results "
        f"({verdicts['hotdog']} hotdog, {verdicts['not_hotdog']} not hotdog), "
        f"{sum(m.get('type') == 'dropped' for m in messages)} drop notices"
        + (f", live verdict at the end: {results[-1]['live']['verdict']}" if live else "")
        + (f", round trip median {rtts[len(rtts) // 2]:.0f} ms" if rtts else "")
    )


def cmd_stream(args: argparse.Namespace) -> int:
    from seefood.client.reconnect import Outcome, keep_streaming
    from seefood.client.replay import PacketTrack
    from seefood.client.stream import Server, StreamClient

    frames, fps = _frames(args)
    _offer_addresses(args)
    token = from_environment(HttpSettings).token  # the server's SEEFOOD_TOKEN, if it is here

    def show(message: dict[str, Any]) -> None:
        print(json.dumps(message), flush=True)

    def say(line: str) -> None:
        print(f"seefood: {line}", file=sys.stderr, flush=True)

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
    results = [m for m in outcome.messages if m.get("type") == "result"]
    closing = [m["reason"] for m in outcome.messages if m.get("type") == "closing"]
    if not results and closing:
        say(f"no results: the server closed the session ({closing[-1]})")
    # The summary comes even when it gave up: what it did get is worth knowing (and a
    # newcomer whose server was never reached gets the one line that says so, nothing more).
    summary = _summary(outcome)
    if summary is not None:
        print(summary, file=sys.stderr)
    if outcome.error is not None:
        say(f"error: {outcome.error}")
        return 2
    return 0 if results else 1
