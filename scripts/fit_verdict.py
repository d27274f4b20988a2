"""Fit the verdict's thresholds on the dev photos, and say how well they hold.

Runs the shipped detector and classifier, exactly as `seefood` does, on
../shared/data/hotdog-dev (hot dogs and other food) and ../shared/data/coco128 (everyday
scenes, one hot dog), then:

- fits x0 for the combined and the classifier-only verdict: the score at which 3 in 100
  other dishes are called hot dogs in sample (held out, that lands near 5%);
- cross-validates: stratified 5-fold, 20 times over, x0 refitted on each 4/5 and counted on
  the 1/5; and once more with the detector weight chosen per fold too, since it was chosen
  on the same photos;
- counts false alarms on coco128's 127 scenes without a hot dog.

Prints the constants for src/seefood/detection/verdict.py and the tables for the README.
Usage: python scripts/fit_verdict.py [--json features.json]
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

from seefood import Detector
from seefood.detection.classifier import DEFAULT_CLASSIFIER_PRECISION, Classifier
from seefood.detection.hotdog import HotdogEngine
from seefood.detection.model import DEFAULT_DETECTOR_PRECISION, Precision
from seefood.detection.runtime import Runtime
from seefood.detection.verdict import Evidence, share
from seefood.stills.evaluate import average_precision
from seefood.stills.images import load_image

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
FALSE_ALARMS = 0.03  # in sample
WEIGHTS = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
CHOSEN_WEIGHT = 4.0
REPEATS, FOLDS = 20, 5


def features(engine: HotdogEngine, paths: list[Path]) -> list[dict[str, float]]:
    rows = []
    for path in paths:
        image = load_image(path)
        results = engine.detector.detect_batch([image])
        [ev] = engine.evidence([image], results, complete=True)
        rows.append(_row(ev))
    return rows


def _row(ev: Evidence) -> dict[str, float]:
    frame = share(*ev.frame)
    crops = [share(*seen) for _, seen in ev.crops]
    return {"detector": ev.detector, "frame": frame, "best": max([frame, *crops])}


def combined(rows: list[dict[str, float]], weight: float) -> np.ndarray:
    return np.array([r["best"] * math.exp(weight * r["detector"]) for r in rows])


def fit_x0(scores: np.ndarray, labels: np.ndarray, rate: float = FALSE_ALARMS) -> float:
    """Just above the negative that the false-alarm budget no longer covers: the geometric
    midpoint between it and the next score up, so no photo sits on the line."""
    negatives = np.sort(scores[labels == 0])[::-1]
    allowed = math.floor(rate * len(negatives))
    line = negatives[allowed]
    above = np.sort(scores[scores > line])
    nxt = above[0] if above.size else line * 1.5
    return float(math.sqrt(max(line, 1e-12) * nxt))


def rates(scores: np.ndarray, labels: np.ndarray, x0: float) -> tuple[float, float]:
    hit = scores >= x0
    return float(hit[labels == 1].mean()), float(hit[labels == 0].mean())


def cross_validate(
    make: dict[float, np.ndarray], labels: np.ndarray, seed: int = 0
) -> tuple[float, float, float, float, list[float]]:
    """Recall and false alarms held out (mean, sd), the weight picked on each training part
    (by its recall at the budget) when `make` offers several."""
    rng = np.random.default_rng(seed)
    recalls, alarms, picked = [], [], []
    pos, neg = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
    for _ in range(REPEATS):
        pf = np.array_split(rng.permutation(pos), FOLDS)
        nf = np.array_split(rng.permutation(neg), FOLDS)
        for k in range(FOLDS):
            test = np.concatenate([pf[k], nf[k]])
            train = np.setdiff1d(np.arange(len(labels)), test)
            best = None
            for weight, scores in make.items():
                x0 = fit_x0(scores[train], labels[train])
                recall = rates(scores[train], labels[train], x0)[0]
                if best is None or recall > best[0] + 1e-9:
                    best = (recall, weight, x0)
            assert best is not None
            _, weight, x0 = best
            r, f = rates(make[weight][test], labels[test], x0)
            recalls.append(r)
            alarms.append(f)
            picked.append(weight)
    return (
        float(np.mean(recalls)),
        float(np.std(recalls)),
        float(np.mean(alarms)),
        float(np.std(alarms)),
        picked,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="save the per-photo features")
    choices = [p.value for p in Precision]
    parser.add_argument(
        "--detector-precision", choices=choices, default=DEFAULT_DETECTOR_PRECISION.value
    )
    parser.add_argument(
        "--classifier-precision", choices=choices, default=DEFAULT_CLASSIFIER_PRECISION.value
    )
    args = parser.parse_args()
    engine = HotdogEngine(
        Detector(precision=Precision(args.detector_precision), runtime=Runtime(2), food=True),
        Classifier(precision=Precision(args.classifier_precision), runtime=Runtime(2)),
    )
    dev = sorted((SHARED / "hotdog-dev" / "hotdog").glob("*.jpg"))
    dev_neg = sorted((SHARED / "hotdog-dev" / "not_hotdog").glob("*.jpg"))
    coco = sorted((SHARED / "coco128" / "images").glob("*.jpg"))
    rows = features(engine, dev + dev_neg)
    labels = np.array([1] * len(dev) + [0] * len(dev_neg))
    coco_rows = features(engine, coco)
    coco_hotdog = np.array(["000000000321" in p.name for p in coco])
    if args.json:
        names = [str(p) for p in [*dev, *dev_neg, *coco]]
        args.json.write_text(json.dumps(dict(zip(names, rows + coco_rows, strict=True)), indent=1))

    sources = {
        "combined": {w: combined(rows, w) for w in WEIGHTS},
        "classifier": {0.0: np.array([r["frame"] for r in rows])},
        "detector": {0.0: np.array([r["detector"] for r in rows])},
    }
    coco_scores = {
        "combined": combined(coco_rows, CHOSEN_WEIGHT),
        "classifier": np.array([r["frame"] for r in coco_rows]),
        "detector": np.array([r["detector"] for r in coco_rows]),
    }
    print(
        "| source | x0 | AP | precision | recall | false alarms | CV recall | CV false alarms "
        "| coco128 false alarms | 000000000321 |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, made in sources.items():
        weight = CHOSEN_WEIGHT if name == "combined" else 0.0
        scores = made[weight]
        x0 = fit_x0(scores, labels)
        recall, alarms = rates(scores, labels, x0)
        precision = recall * 100 / max(recall * 100 + alarms * 100, 1e-9)
        ap = average_precision(list(scores[labels == 1]), list(scores[labels == 0]))
        cv = cross_validate({weight: scores}, labels)
        hits = coco_scores[name] >= x0
        fp = int(hits[~coco_hotdog].sum())
        print(
            f"| {name} | {x0:.4g} | {ap:.3f} | {precision:.2f} | {recall:.2f} | {alarms:.2f} "
            f"| {cv[0]:.3f} ± {cv[1]:.3f} | {cv[2]:.3f} ± {cv[3]:.3f} | {fp} of "
            f"{int((~coco_hotdog).sum())} | {'hotdog' if hits[coco_hotdog].all() else 'missed'} |"
        )
        if name == "combined":
            nested = cross_validate(made, labels)
            counts = {w: nested[4].count(w) for w in WEIGHTS}
            print(
                f"|  combined, weight chosen per fold too | | | | | {nested[0]:.3f} ± "
                f"{nested[1]:.3f} | {nested[2]:.3f} ± {nested[3]:.3f} | | |  (weights picked: "
                f"{counts})"
            )
            names = [p.name for p in coco]
            print(
                "  coco false alarms:",
                [n for n, h, c in zip(names, hits, coco_hotdog, strict=True) if h and not c],
            )
        print(f"  {name.upper()}_X0 = {x0:.4g}")


if __name__ == "__main__":
    main()
