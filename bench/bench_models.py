"""Each precision of the shipped models, against both in fp32 on the CPU provider.

For every pairing of the detector (fp32, int8) and the classifier (fp32, int8): the time of
the whole combined verdict per 640x480 frame (real photos: hot dogs, other food, everyday
scenes, one at a time; medians of interleaved rounds) as a ratio to fp32/fp32 in the same
run, and on the dev photos the detector's hot-dog AP, the verdict's AP, and its recall and
false alarms at the shipped line. The int8 models were calibrated on coco128 photos, not on
these (scripts/quantize_models.py). Also lists the execution providers this onnxruntime has.

Usage: python bench/bench_models.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import onnxruntime as ort

from bench_verdict import frames_of
from seefood import load_image
from seefood.detection.classifier import Classifier
from seefood.detection.detector import Detector
from seefood.detection.hotdog import HotdogEngine
from seefood.detection.model import Precision
from seefood.stills.evaluate import average_precision
from seefood.types import RGBImage

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
FP32, INT8 = Precision.FP32, Precision.INT8
PAIRS = [(FP32, FP32), (FP32, INT8), (INT8, FP32), (INT8, INT8)]  # detector, classifier


def per_frame_ms(engine: HotdogEngine, frames: list[RGBImage]) -> float:
    t0 = time.perf_counter()
    for frame in frames:
        engine.detect_batch([frame])
    return (time.perf_counter() - t0) * 1000 / len(frames)


def quality(engine: HotdogEngine, hotdogs: list[RGBImage], others: list[RGBImage]) -> str:
    pos = [r for image in hotdogs for r in engine.detect_batch([image])]
    neg = [r for image in others for r in engine.detect_batch([image])]
    detector_ap = average_precision(
        [r.scores["detector"] for r in pos], [r.scores["detector"] for r in neg]
    )
    verdict_ap = average_precision([r.hotdog_score for r in pos], [r.hotdog_score for r in neg])
    recall = sum(r.verdict == "hotdog" for r in pos) / len(pos)
    alarms = sum(r.verdict == "hotdog" for r in neg) / len(neg)
    return f"{detector_ap:>9.3f}{verdict_ap:>9.3f}{recall:>8.2f}{alarms:>8.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"onnxruntime {ort.__version__}, providers here: {ort.get_available_providers()}\n")
    engines = {
        f"{d}/{c}": HotdogEngine(Detector(precision=d, food=True), Classifier(precision=c))
        for d, c in PAIRS
    }
    frames = frames_of("hot dogs", 8) + frames_of("other food", 8) + frames_of("everyday scenes", 8)
    for engine in engines.values():
        engine.detect_batch(frames[:2])  # warm up
    times: dict[str, list[float]] = {name: [] for name in engines}
    for _ in range(args.rounds):
        for name, engine in engines.items():
            times[name].append(per_frame_ms(engine, frames))
    base = statistics.median(times["fp32/fp32"])
    hotdogs = [load_image(p) for p in sorted((SHARED / "hotdog-dev" / "hotdog").glob("*.jpg"))]
    others = [load_image(p) for p in sorted((SHARED / "hotdog-dev" / "not_hotdog").glob("*.jpg"))]
    print("combined verdict per 640x480 frame; quality on the 200 dev photos at the shipped line")
    print(
        f"{'detector/classifier':<21}{'ms/frame':>9}{'speed-up':>9}{'det AP':>9}{'AP':>9}"
        f"{'recall':>8}{'alarms':>8}"
    )
    for name, engine in engines.items():
        ms = statistics.median(times[name])
        print(f"{name:<21}{ms:>9.1f}{base / ms:>8.2f}x{quality(engine, hotdogs, others)}")


if __name__ == "__main__":
    main()
