"""Admission: offers held in line (the server's design) against answering 503 at once and
letting clients retry, in the same run.

One place (SEEFOOD_MAX_SESSIONS=1), N `StreamClient`s started at once from this address,
each holding its session for a few seconds, then leaving. For each way: how long a place
stands empty between one viewer leaving and the next one connected (median and worst),
offers the server answered per viewer, and the time until the last viewer got in. The
"retry" way is the same server with `admission_wait_seconds=0`: every offer beyond the
place answered at once with 503, Retry-After and its ticket, and the client asks again.

Usage: python bench/bench_admission.py [--clients 4] [--hold 2]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time
from typing import Any

import uvicorn

from seefood.client.sources import pattern_frames
from seefood.client.stream import StreamClient
from seefood.config import Settings
from seefood.detection.settings import build_engine
from seefood.live.ice import use_host_addresses
from seefood.server.app import create_app


class OfferCounter:
    """ASGI middleware: counts the offers the server answered."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.offers = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/v1/webrtc/offer":
            self.offers += 1
        await self.app(scope, receive, send)


async def viewers(url: str, clients: int, hold: float) -> tuple[list[float], float]:
    """Gaps (s) between a viewer leaving and the next connected; time to the last one in."""
    left: list[float] = []
    connected: list[float] = []
    began = time.monotonic()

    async def one() -> None:
        client = StreamClient(url, pattern_frames(), fps=15)
        await client.start(give_up_at=time.monotonic() + 120)
        connected.append(time.monotonic())
        await asyncio.sleep(hold)
        await client.stop()
        left.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(clients)))
    connected.sort()
    left.sort()
    # A place can be taken before the leaver's goodbye has returned: that is no gap (0).
    gaps = [max(0.0, c - leaving) for c, leaving in zip(connected[1:], left, strict=False)]
    return gaps, connected[-1] - began


def measure(engine: Any, wait: float, clients: int, hold: float) -> dict[str, float]:
    settings = Settings(max_sessions=1, admission_wait_seconds=wait, daemons=1)
    counter = OfferCounter(create_app(settings, [engine]))
    server = uvicorn.Server(uvicorn.Config(counter, port=0, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        gaps, last_in = asyncio.run(viewers(f"http://127.0.0.1:{port}", clients, hold))
    finally:
        server.should_exit = True
    return {
        "gap_median": statistics.median(gaps),
        "gap_max": max(gaps),
        "offers_per_viewer": counter.offers / clients,
        "last_in": last_in,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--hold", type=float, default=2.0)
    args = parser.parse_args()
    use_host_addresses(["127.0.0.1"], "127.0.0.1")
    engine = build_engine(Settings())
    held = measure(engine, 10.0, args.clients, args.hold)
    retry = measure(engine, 0.0, args.clients, args.hold)
    print(f"{args.clients} viewers, one place, each staying {args.hold:.1f} s")
    print(f"{'':28}{'held (10 s)':>14}{'retry (0 s)':>14}{'held/retry':>12}")
    for key, label in (
        ("gap_median", "empty place, median (s)"),
        ("gap_max", "empty place, worst (s)"),
        ("offers_per_viewer", "offers per viewer"),
        ("last_in", "last viewer in after (s)"),
    ):
        a, b = held[key], retry[key]
        print(f"{label:28}{a:14.3f}{b:14.3f}{a / b if b else float('nan'):12.2f}")


if __name__ == "__main__":
    main()
