from pathlib import Path

import pytest

from seefood.detection.verdict import VerdictSource
from seefood.stills import evaluate


def test_confusion_and_derived_metrics() -> None:
    c = evaluate.confusion([0.9, 0.5, 0.1, 0.3], [0.4, 0.05, 0.0], 0.3)
    assert (c.tp, c.fn, c.fp, c.tn) == (3, 1, 1, 2)
    assert c.precision == pytest.approx(0.75)
    assert c.recall == pytest.approx(0.75)
    assert c.f1 == pytest.approx(0.75)
    assert c.false_positive_rate == pytest.approx(1 / 3)
    assert c.accuracy == pytest.approx(5 / 7)


def test_no_positive_predictions_has_precision_one_and_f1_zero() -> None:
    c = evaluate.confusion([0.1], [0.1], 0.5)
    assert (c.precision, c.recall, c.f1) == (1.0, 0.0, 0.0)


def test_sweep_and_best_f1() -> None:
    pos, neg = [0.8, 0.7, 0.6, 0.2], [0.65, 0.1]
    sweep = evaluate.sweep(pos, neg, step=0.1)
    assert [round(c.threshold, 1) for c in sweep] == [0.1 * i for i in range(1, 10)] or len(
        sweep
    ) == 9
    best = evaluate.best_f1(pos, neg, step=0.1)
    assert best.f1 == max(c.f1 for c in sweep)


def test_average_precision_by_hand() -> None:
    # Ranked: p(0.9) n(0.8) p(0.7) n(0.6): precision at each positive 1 and 2/3 -> AP 5/6.
    assert evaluate.average_precision([0.9, 0.7], [0.8, 0.6]) == pytest.approx(5 / 6)
    assert evaluate.average_precision([0.9, 0.8], [0.1]) == pytest.approx(1.0)


def test_plot_writes_a_png(tmp_path: Path) -> None:
    out = tmp_path / "pr.png"
    chosen = evaluate.confusion([0.9, 0.4, 0.2], [0.3, 0.1], 0.25)
    evaluate.plot_pr({VerdictSource.COMBINED: ([0.9, 0.4, 0.2], [0.3, 0.1], chosen)}, out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_labelled_images_needs_both_folders(tmp_path: Path) -> None:
    (tmp_path / "hotdog").mkdir()
    with pytest.raises(FileNotFoundError, match="not_hotdog"):
        evaluate.labelled_images(tmp_path)
