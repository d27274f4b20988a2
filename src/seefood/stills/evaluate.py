"""Scoring the hot-dog verdict on a labelled folder: precision, recall, F1, a sweep, a PR curve."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seefood.stills.files import find_images

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
    """The images under `root/hotdog/` and `root/not_hotdog/` (recursively)."""
    pos_dir, neg_dir = root / POSITIVE_DIR, root / NEGATIVE_DIR
    missing = [d.name for d in (pos_dir, neg_dir) if not d.is_dir()]
    if missing:
        raise FileNotFoundError(
            f"{root} needs sub-folders hotdog/ and not_hotdog/; missing {missing}"
        )
    return find_images([pos_dir]), find_images([neg_dir])


def plot_pr(pos: Sequence[float], neg: Sequence[float], chosen: Confusion, path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise RuntimeError("--plot needs matplotlib: pip install 'seefood[plot]'") from exc
    recall, precision = pr_curve(pos, neg)
    fig, ax = plt.subplots(figsize=(5, 4.5), dpi=120)
    ax.step(recall, precision, where="post", color="#c0392b")
    ax.plot([chosen.recall], [chosen.precision], "o", color="#2c3e50")
    ax.annotate(
        f"t={chosen.threshold:g}",
        (chosen.recall, chosen.precision),
        textcoords="offset points",
        xytext=(6, 6),
    )
    ax.set(
        xlabel="recall",
        ylabel="precision",
        xlim=(0, 1.02),
        ylim=(0, 1.02),
        title=f"hot dog, AP={average_precision(pos, neg):.3f}",
    )
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
