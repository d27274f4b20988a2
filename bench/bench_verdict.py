"""What the verdict costs: the classifier and the verdict stage against the detector alone.

Part 1, per frame (640x480 frames made from real photos: hot dogs, other food, everyday
scenes), medians of interleaved rounds: the detector alone, the classifier-only verdict and
the combined verdict, each as a ratio to the detector alone, with the classifier runs
(whole frame plus crops) per frame.

Part 2, the live path without WebRTC: N synthetic 30 fps streams through the real service
(broker, one daemon, the engine), one at 24 fps (the page's camera) and 1, 4 and 8 at 30
fps, each showing a picture for a second (hot dogs and other
food, in turn) with its classifier memory, as a camera would; detector-only and combined in
the same run: inferences/s, frame -> result latency p50/p95,
and this process's CPU time per inference.

Usage: python bench/bench_verdict.py [--rounds 5] [--seconds 4]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from seefood import load_image
from seefood.detection.classifier import Classifier
from seefood.detection.detector import Detector
from seefood.detection.hotdog import HotdogEngine
from seefood.detection.runtime import Runtime
from seefood.detection.verdict import VerdictSource
from seefood.types import RGBImage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the suite's rigs
from tests.loadgen import percentile, run_load
from tests.videos import letterboxed

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def frames_of(kind: str, n: int) -> list[RGBImage]:
    folder = {
        "hot dogs": SHARED / "hotdog-dev" / "hotdog",
        "other food": SHARED / "hotdog-dev" / "not_hotdog",
        "everyday scenes": SHARED / "coco128" / "images",
    }[kind]
    paths = sorted(folder.glob("*.jpg"))[:n]
    if not paths:
        raise SystemExit(f"needs {folder} (see ../shared/README.md)")
    return [letterboxed(load_image(p)) for p in paths]


def per_frame_ms(engine: HotdogEngine, frames: list[RGBImage]) -> float:
    t0 = time.perf_counter()
    for frame in frames:
        engine.detect_batch([frame])
    return (time.perf_counter() - t0) * 1000 / len(frames)


def classifier_runs(engine: HotdogEngine, frames: list[RGBImage]) -> float:
    if engine.source is VerdictSource.DETECTOR:
        return 0.0
    runs = 0
    for frame in frames:
        results = engine.detector.detect_batch([frame])
        runs += 1 + len(engine.evidence([frame], results)[0].crops)
    return runs / len(frames)


def part1(engines: dict[str, HotdogEngine], rounds: int) -> None:
    print("## per frame, 640x480, one at a time (medians of interleaved rounds)\n")
    print(f"{'frames':<17}{'engine':<12}{'ms/frame':>10}{'ratio':>8}{'classifier runs':>17}")
    for kind in ("hot dogs", "other food", "everyday scenes"):
        frames = frames_of(kind, 16)
        for engine in engines.values():
            engine.detect_batch(frames[:2])  # warm up
        times: dict[str, list[float]] = {name: [] for name in engines}
        for _ in range(rounds):
            for name, engine in engines.items():
                times[name].append(per_frame_ms(engine, frames))
        base = statistics.median(times["detector"])
        for name, engine in engines.items():
            ms = statistics.median(times[name])
            runs = classifier_runs(engine, frames)
            print(f"{kind:<17}{name:<12}{ms:>10.1f}{ms / base:>8.2f}{runs:>17.1f}")
    print()


async def part2(engines: dict[str, HotdogEngine], seconds: float) -> None:
    print("## live path: N streams x 30 fps, one daemon (no WebRTC: frames as arrays)\n")
    print(
        f"{'engine':<12}{'streams':>8}{'inf/s':>8}{'lat50 ms':>10}{'lat95 ms':>10}"
        f"{'CPU ms/inference':>18}"
    )
    frames = frames_of("hot dogs", 12) + frames_of("other food", 12)
    for streams, fps in ((1, 24.0), (1, 30.0), (4, 30.0), (8, 30.0)):
        for name in ("detector", "combined"):
            cpu0 = time.process_time()
            report = await run_load([engines[name]], frames, [fps] * streams, seconds, hold=1.0)
            cpu = (time.process_time() - cpu0) * 1000 / max(report.inferences, 1)
            print(
                f"{name:<12}{streams:>8}{fps:>5.0f}{report.rate:>8.1f}"
                f"{percentile(report.latencies, 50) * 1000:>10.1f}"
                f"{percentile(report.latencies, 95) * 1000:>10.1f}{cpu:>18.1f}"
            )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    detector, classifier = Detector(food=True), Classifier()
    alone = Detector(runtime=Runtime(spinning=True))  # as `serve --verdict detector` runs it
    engines = {
        "detector": HotdogEngine(alone, source=VerdictSource.DETECTOR),
        "classifier": HotdogEngine(detector, classifier, source=VerdictSource.CLASSIFIER),
        "combined": HotdogEngine(detector, classifier),
    }
    part1(engines, args.rounds)
    asyncio.run(part2(engines, args.seconds))


if __name__ == "__main__":
    main()
