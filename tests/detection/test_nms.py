import numpy as np
import pytest

from seefood.detection import nms as nms_module
from seefood.detection.nms import batched_nms, nms


def test_suppresses_overlaps_keeps_separate_boxes() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], np.float32)
    scores = np.array([0.9, 0.8, 0.7], np.float32)
    assert nms(boxes, scores, 0.5).tolist() == [0, 2]
    assert nms(boxes, scores, 0.9).tolist() == [0, 1, 2]


def test_best_first() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11]], np.float32)
    assert nms(boxes, np.array([0.2, 0.6], np.float32), 0.5).tolist() == [1]


def test_classes_do_not_suppress_each_other() -> None:
    boxes = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10]], np.float32)
    scores = np.array([0.9, 0.8, 0.7], np.float32)
    classes = np.array([52, 48, 52], np.intp)
    assert sorted(batched_nms(boxes, scores, classes, 0.5).tolist()) == [0, 1]


def test_empty_input() -> None:
    empty = np.zeros((0, 4), np.float32)
    assert batched_nms(empty, np.zeros(0, np.float32), np.zeros(0, np.intp), 0.5).size == 0


def test_classes_stay_apart_with_negative_coordinates() -> None:
    boxes = np.array([[330, 330, 416, 416], [-87, -87, -1, -1]], np.float32)
    scores = np.array([0.9, 0.8], np.float32)
    assert sorted(batched_nms(boxes, scores, np.array([0, 1]), 0.5).tolist()) == [0, 1]


def test_huge_boxes_do_not_switch_nms_off() -> None:
    boxes = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 4e8, 4e8]], np.float32)
    scores = np.array([0.9, 0.8, 0.1], np.float32)
    keep = batched_nms(boxes, scores, np.array([5, 5, 0]), 0.5).tolist()
    assert sorted(keep) == [0, 2]


def test_the_overlap_matrix_keeps_what_the_loop_keeps(monkeypatch: pytest.MonkeyPatch) -> None:
    # Up to MATRIX_LIMIT boxes nms works from one matrix of overlaps, above it box by box:
    # the same boxes kept in the same order, on random clusters of boxes with tied scores.
    rng = np.random.default_rng(7)
    cases = []
    for n in (1, 5, 60, 400):
        centres = rng.uniform(0, 400, (n, 2))
        sizes = rng.uniform(5, 80, (n, 2))
        boxes = np.concatenate([centres - sizes / 2, centres + sizes / 2], axis=1)
        scores = rng.choice(np.linspace(0.1, 1, 25), n).astype(np.float32)
        cases += [(boxes, scores, t) for t in (0.3, 0.5, 0.7)]
    fast = [nms(*case).tolist() for case in cases]
    monkeypatch.setattr(nms_module, "MATRIX_LIMIT", 0)
    slow = [nms(*case).tolist() for case in cases]
    assert fast == slow
    assert max(len(k) for k in fast) > 50  # the large cases keep many boxes
