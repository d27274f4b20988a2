"""Many synthetic camera streams through the real broker and the real model.

For 1, 2, 4, 8 and 16 streams at 30 fps each (real photos as frames), with the broker and
with a naive FIFO (every frame queued, no CoDel), prints: inferences/s against the raw
model's capacity measured in the same run, per-stream rates and Jain's fairness index,
queue sojourn p50/p95, result latency (frame arrival -> result) p50/p95, and drop rate.
Then, at 8 streams, compares daemon pools: 1 daemon x 2 threads vs 2 x 1, batching on/off.

Usage: python bench/bench_broker.py [--seconds 4] [--fps 30]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from seefood import Detector, load_image
from seefood.detection.runtime import Runtime
from seefood.inference.settings import InferenceSettings
from seefood.types import RGBImage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the suite's rigs
from tests.loadgen import FIFO, LoadReport, percentile, run_load

SHARED = Path(__file__).resolve().parents[2] / "shared"


def capacity(detector: Detector, frames: list[RGBImage], seconds: float = 3.0) -> float:
    """Raw onnxruntime run() rate on prepared inputs: the ceiling for any scheduler."""
    batch = detector.new_batch(1)
    detector.prepare_into(frames[0], batch[0])
    detector.model.run(batch)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        detector.model.run(batch)
        n += 1
    return n / (time.perf_counter() - t0)


def row(label: str, streams: int, demand: float, cap: float, r: LoadReport) -> str:
    rates = r.rates()
    ceiling = min(demand, cap)
    return (
        f"{label:<7}{streams:>4}{r.rate:>8.1f}{r.rate / ceiling:>7.2f}"
        f"{min(rates):>7.1f}{max(rates):>7.1f}{r.jain():>7.3f}"
        f"{r.sojourn_percentile(50) * 1000:>8.1f}{r.sojourn_percentile(95) * 1000:>8.1f}"
        f"{percentile(r.latencies, 50) * 1000:>8.1f}{percentile(r.latencies, 95) * 1000:>8.1f}"
        f"{r.drop_rate:>7.2f}"
    )


HEADER = (
    f"{'mode':<7}{'n':>4}{'inf/s':>8}{'ratio':>7}{'min/s':>7}{'max/s':>7}{'jain':>7}"
    f"{'soj50':>8}{'soj95':>8}{'lat50':>8}{'lat95':>8}{'drop':>7}"
)


async def main(seconds: float, fps: float) -> None:
    paths = sorted((SHARED / "data" / "hotdog-dev" / "hotdog").glob("*.jpg"))[:24]
    if not paths:
        raise SystemExit("needs ../shared/data/hotdog-dev (see ../shared/README.md)")
    frames = [load_image(p) for p in paths]
    detector = Detector(runtime=Runtime(2, spinning=True))  # alone, as `serve --verdict detector`
    cap = capacity(detector, frames)
    print(f"raw model capacity: {cap:.1f} inferences/s (1 session, 2 threads, batch 1)")
    print(f"{seconds:g} s per run, {fps:g} fps per stream; ratio = inf/s / min(demand, capacity)")
    print("sojourn = queued before a daemon took it; lat = frame arrival -> result ready (ms)\n")
    print(HEADER)
    for n in (1, 2, 4, 8, 16):
        for fifo in (False, True):
            r = await run_load(
                [detector], frames, [fps] * n, seconds, settings=FIFO if fifo else None
            )
            print(row("fifo" if fifo else "broker", n, n * fps, cap, r))

    print("\ndaemon pools at 8 streams (broker):")
    print(f"{'pool':<24}{'inf/s':>8}{'ratio':>7}{'jain':>7}{'lat50':>8}{'lat95':>8}{'batch':>7}")
    one = [Detector(runtime=Runtime(1, spinning=True)) for _ in range(2)]
    variants = [
        ("1 x 2 threads", [detector], 1),
        ("1 x 2 threads, batch 4", [detector], 4),
        ("2 x 1 thread", one, 1),
        ("2 x 1 thread, batch 4", one, 4),
    ]
    for label, dets, max_batch in variants:
        batches = InferenceSettings(max_batch=max_batch)
        r = await run_load(dets, frames, [fps] * 8, seconds, settings=batches)
        mean_batch = sum(r.batch_sizes) / max(len(r.batch_sizes), 1)
        print(
            f"{label:<24}{r.rate:>8.1f}{r.rate / cap:>7.2f}{r.jain():>7.3f}"
            f"{percentile(r.latencies, 50) * 1000:>8.1f}{percentile(r.latencies, 95) * 1000:>8.1f}"
            f"{mean_batch:>7.2f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--fps", type=float, default=30.0)
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.fps))
