"""Tracker cost per live result, against the cost of what every result pays already (its
JSON: `DetectionResult.to_dict()` and `json.dumps`), in the same run.

Scenes of N boxes that drift a few pixels a result, with one box in ten missing from each
result (held tracks), every box with a look of the classifier for its track's evidence;
timed over many results with `time.perf_counter`.

Usage: python bench/bench_tracks.py [--boxes 1 5 20] [--results 2000]
"""

from __future__ import annotations

import argparse
import json
import random
import time

from seefood.detection.result import Detection, DetectionResult
from seefood.live.tracks import Tracker

W, H = 640, 480


def scene(boxes: int, results: int, rng: random.Random) -> list[DetectionResult]:
    starts = [(rng.uniform(0, 500), rng.uniform(0, 380)) for _ in range(boxes)]
    out = []
    for step in range(results):
        dets = [
            Detection(0, "person", 0.8, (x + 2 * step % 100, y + rng.gauss(0, 2), 100, 80))
            for x, y in starts
            if rng.random() > 0.1
        ]
        out.append(DetectionResult(W, H, dets, 0.1, 0.5))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--boxes", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--results", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(1)
    print(f"{'boxes':>5}  {'JSON us':>8}  {'tracker us':>10}  {'ratio':>6}")
    for boxes in args.boxes:
        results = scene(boxes, args.results, rng)
        wired = [r.to_json() for r in results]
        t0 = time.perf_counter()
        for r in results:
            json.dumps(r.to_dict())
        baseline = (time.perf_counter() - t0) / len(results)
        tracker = Tracker()
        looks = [[rng.random() for _ in r.detections] for r in results]  # each box looked at
        t0 = time.perf_counter()
        for i, j in enumerate(wired):
            tracker.update(j.detections, W, H, i / 30, looks[i])
        tracked = (time.perf_counter() - t0) / len(results)
        print(
            f"{boxes:>5}  {baseline * 1e6:>8.1f}  {tracked * 1e6:>10.1f}"
            f"  {tracked / baseline:>6.2f}"
        )


if __name__ == "__main__":
    main()
