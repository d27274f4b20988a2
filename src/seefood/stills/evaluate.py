"""Scoring the hot-dog verdict on a labelled folder: precision, recall, F1, a sweep, a PR curve."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from seefood.detection.hotdog import HotdogEngine
from seefood.detection.memory import CropMemory
from seefood.detection.result import DetectionResult
from seefood.detection.verdict import VerdictSource, read
from seefood.stills.files import find_images
from seefood.types import RGBImage, Size

POSITIVE_DIR = "hotdog"
NEGATIVE_DIR = "not_hotdog"


@dataclass(frozen=True, slots=True)
class Confusion:
    threshold: float
    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def false_positive_rate(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    @property
    def accuracy(self) -> float:
        total = self.tp + self.fp + self.tn + self.fn
        return (self.tp + self.tn) / total if total else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "threshold": self.threshold,
            "tp": self.tp,
            "fp": self.fp,
            "tn": self.tn,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "false_positive_rate": round(self.false_positive_rate, 4),
            "accuracy": round(self.accuracy, 4),
        }


def confusion(pos: Sequence[float], neg: Sequence[float], threshold: float) -> Confusion:
    """The verdict at `threshold`, given best hot-dog scores of positives and negatives."""
    p, n = np.asarray(pos), np.asarray(neg)
    tp, fp = int((p >= threshold).sum()), int((n >= threshold).sum())
    return Confusion(threshold, tp, fp, int(n.size - fp), int(p.size - tp))


def sweep(pos: Sequence[float], neg: Sequence[float], step: float = 0.05) -> list[Confusion]:
    thresholds = np.round(np.arange(step, 1.0, step), 4)
    return [confusion(pos, neg, float(t)) for t in thresholds]


def best_f1(pos: Sequence[float], neg: Sequence[float], step: float = 0.05) -> Confusion:
    return max(sweep(pos, neg, step), key=lambda c: (c.f1, c.threshold))


def average_precision(pos: Sequence[float], neg: Sequence[float]) -> float:
    """Area under the precision-recall curve (step-wise, as in scikit-learn)."""
    scores = np.concatenate([np.asarray(pos, float), np.asarray(neg, float)])
    labels = np.concatenate([np.ones(len(pos)), np.zeros(len(neg))])
    order = np.argsort(-scores, kind="stable")
    scores, labels = scores[order], labels[order]
    # Only the last index of each run of tied scores is a real threshold.
    distinct = np.r_[np.nonzero(np.diff(scores))[0], scores.size - 1]
    tps = np.cumsum(labels)[distinct]
    fps = (distinct + 1) - tps
    precision = tps / (tps + fps)
    recall = tps / max(len(pos), 1)
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def pr_curve(pos: Sequence[float], neg: Sequence[float]) -> tuple[list[float], list[float]]:
    """(recall, precision) points over every distinct score, for plotting."""
    cuts = sorted(set(pos) | set(neg), reverse=True)
    points = [confusion(pos, neg, t) for t in cuts if t > 0]
    return [c.recall for c in points], [c.precision for c in points]


def labelled_images(root: Path) -> tuple[list[Path], list[Path]]:
    """The images under `root/hotdog/` and `root/not_hotdog/` (recursively); a folder with
    only `not_hotdog/` is a check for false alarms."""
    if not root.is_dir():
        raise FileNotFoundError(f"no such directory: {root}")
    pos_dir, neg_dir = root / POSITIVE_DIR, root / NEGATIVE_DIR
    if not neg_dir.is_dir():
        raise FileNotFoundError(
            f"{root} needs a not_hotdog/ folder (and a hotdog/ one, to measure recall)"
        )
    return (find_images([pos_dir]) if pos_dir.is_dir() else []), find_images([neg_dir])


class AllSources:
    """An engine whose results carry every verdict source's score, `scores[source]`, for
    comparing them on the same photos. Every crop is looked at, so that each score is what
    the engine would give with its threshold set there (the sweep, the AP)."""

    def __init__(self, engine: HotdogEngine) -> None:
        self.engine = engine

    @property
    def input_size(self) -> Size:
        return self.engine.input_size

    def describe(self) -> dict[str, str]:
        return self.engine.describe()

    def detect_batch(
        self, images: Sequence[RGBImage], memories: Sequence[CropMemory | None] | None = None
    ) -> list[DetectionResult]:
        results = self.engine.detector.detect_batch(images)
        looked = self.engine.evidence(images, results, complete=True)
        return [
            replace(
                result,
                scores={s.value: read(evidence, s, self.engine.line).score for s in VerdictSource},
            )
            for result, evidence in zip(results, looked, strict=True)
        ]


def plotting() -> Any:
    """matplotlib's pyplot, or a RuntimeError saying how to get it (asked before a run)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise RuntimeError(
            "--plot needs matplotlib: pip install matplotlib (in a checkout: "
            "pip install -c constraints.txt '.[plot]')"
        ) from None
    return plt


COLOURS = {
    VerdictSource.COMBINED: "#c0392b",
    VerdictSource.CLASSIFIER: "#2980b9",
    VerdictSource.DETECTOR: "#7f8c8d",
}


def plot_pr(
    curves: dict[VerdictSource, tuple[Sequence[float], Sequence[float], Confusion]], path: Path
) -> None:
    """Each source's precision-recall curve, its chosen threshold marked."""
    plt = plotting()
    fig, ax = plt.subplots(figsize=(5.5, 4.8), dpi=120)
    for source, (pos, neg, chosen) in curves.items():
        recall, precision = pr_curve(pos, neg)
        label = f"{source} (AP {average_precision(pos, neg):.3f})"
        ax.step(recall, precision, where="post", color=COLOURS[source], label=label)
        ax.plot([chosen.recall], [chosen.precision], "o", color=COLOURS[source])
    ax.set(xlabel="recall", ylabel="precision", xlim=(0, 1.02), ylim=(0, 1.02), title="hot dog")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
