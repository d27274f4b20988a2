"""Each layout's decoding on hand-made outputs whose right answer is known exactly."""

import math

import numpy as np
import pytest

from seefood.detection import decode

HOTDOG = 52


def _nanodet_levels(size: int = 416) -> list[tuple[np.ndarray, np.ndarray]]:
    levels = []
    for stride in (8, 16, 32):
        n = math.ceil(size / stride) ** 2
        levels.append((np.zeros((n, 80), np.float32), np.zeros((n, 44), np.float32)))
    return levels


def test_nanodet_box_from_bin_distributions() -> None:
    levels = _nanodet_levels()
    scores, dists = levels[1]  # stride 16, a 26 x 26 grid
    cell = 7 * 26 + 5  # row 7, column 5: centre (88, 120)
    scores[cell, HOTDOG] = 0.9
    for side, bin_ in enumerate((2, 3, 4, 1)):  # left, top, right, bottom, in strides
        dists[cell, side * 11 + bin_] = 50.0  # softmax is one-hot to float precision
    out = decode.nanodet(levels, (416, 416), 0.3)
    assert out.class_ids.tolist() == [HOTDOG]
    np.testing.assert_allclose(out.scores, [0.9])
    np.testing.assert_allclose(out.boxes[0], [88 - 32, 120 - 48, 88 + 64, 120 + 16], atol=1e-3)


def test_nanodet_expected_value_between_bins() -> None:
    levels = _nanodet_levels()
    scores, dists = levels[2]  # stride 32, 13 x 13
    scores[0, 0] = 0.5
    dists[0, 0:2] = 50.0  # left: half in bin 0, half in bin 1 -> 0.5 strides
    out = decode.nanodet(levels, (416, 416), 0.3)
    assert out.boxes[0, 0] == pytest.approx(16 - 16, abs=1e-3)


def test_nanodet_multi_label_and_per_class_floor() -> None:
    levels = _nanodet_levels()
    scores, _ = levels[0]
    scores[100, HOTDOG] = 0.1  # low, but hot dogs have a lower floor
    scores[100, 48] = 0.4  # sandwich, same cell
    scores[200, 0] = 0.1  # a weak person: below its floor
    floors = np.full(80, 0.3, np.float32)
    floors[HOTDOG] = 0.05
    out = decode.nanodet(levels, (416, 416), floors)
    assert sorted(out.class_ids.tolist()) == [48, HOTDOG]
    np.testing.assert_array_equal(out.boxes[0], out.boxes[1])


def test_nanodet_nothing_above_floor() -> None:
    out = decode.nanodet(_nanodet_levels(), (416, 416), 0.3)
    assert out.boxes.shape == (0, 4) and out.scores.size == 0


def test_yolox_grid_offsets() -> None:
    out = np.zeros((3549, 85), np.float32)  # 52*52 + 26*26 + 13*13 for 416
    row = 3 * 52 + 10  # stride 8, column 10, row 3
    out[row, :4] = [0.5, 0.25, math.log(4), math.log(2)]
    out[row, 4] = 0.9
    out[row, 5 + HOTDOG] = 0.8
    last = 2704 + 676 + 12 * 13 + 12  # stride 32, bottom-right cell
    out[last, :4] = [0.5, 0.5, 0.0, 0.0]
    out[last, 4], out[last, 5] = 1.0, 0.6
    got = decode.yolox(out, (416, 416), 0.3)
    order = np.argsort(-got.scores)
    np.testing.assert_allclose(got.scores[order], [0.72, 0.6], rtol=1e-6)
    assert got.class_ids[order].tolist() == [HOTDOG, 0]
    np.testing.assert_allclose(got.boxes[order[0]], [68, 18, 100, 34], atol=1e-4)
    np.testing.assert_allclose(got.boxes[order[1]], [400 - 16, 400 - 16, 400 + 16, 400 + 16])


def test_yolox_rejects_a_mismatched_grid() -> None:
    with pytest.raises(ValueError, match="rows"):
        decode.yolox(np.zeros((100, 85), np.float32), (416, 416), 0.3)


def test_yolov5_decoded_boxes_and_objectness() -> None:
    out = np.zeros((10647, 85), np.float32)
    out[42, :6] = [100, 50, 40, 20, 0.9, 0.0]
    out[42, 5 + HOTDOG] = 0.9
    out[43, :5] = [10, 10, 4, 4, 0.2]  # objectness too low: 0.2 * 0.9 < 0.3
    out[43, 5 + HOTDOG] = 0.9
    got = decode.yolov5(out, 0.3)
    assert got.class_ids.tolist() == [HOTDOG]
    np.testing.assert_allclose(got.scores, [0.81], rtol=1e-6)
    np.testing.assert_allclose(got.boxes[0], [80, 40, 120, 60])


def test_yolov8_channels_first() -> None:
    out = np.zeros((84, 8400), np.float32)
    out[:4, 7] = [320, 320, 64, 32]
    out[4 + HOTDOG, 7] = 0.7
    out[4 + 2, 9] = 0.2
    got = decode.yolov8(out, 0.25)
    assert got.class_ids.tolist() == [HOTDOG]
    np.testing.assert_allclose(got.boxes[0], [288, 304, 352, 336])


def test_grids_and_anchor_cells() -> None:
    assert decode.grid(416, 416, 32) == (13, 13)
    assert decode.grid(420, 400, 32) == (14, 13), "a partial cell counts"
    assert decode.cells(416, 416) == 52 * 52 + 26 * 26 + 13 * 13 == 3549


def test_nanodet_score_width() -> None:
    assert decode.nanodet_score_width([80, 44]) == 80
    assert decode.nanodet_score_width([1, 32]) == 1, "a class count that is not a multiple of 4"
    assert decode.nanodet_score_width([8, 44]) == 8, "else the narrower"


def test_nanodet_pairs_group_outputs_per_stride_in_any_order() -> None:
    # Scores and boxes interleaved in one export, boxes first in another: same grouping.
    assert decode.nanodet_pairs([(2704, 80), (2704, 44), (676, 80), (676, 44)]) == [(0, 1), (2, 3)]
    assert decode.nanodet_pairs([(2704, 44), (676, 44), (2704, 80), (676, 80)]) == [(2, 0), (3, 1)]
    assert decode.nanodet_pairs([(2704, 80), (676, 44)]) is None, "no pair shares its cells"
    assert decode.nanodet_pairs([(3549, 85)]) is None
    assert decode.nanodet_pairs([(2704, 80), (2704, 45)]) is None, "box bins come in fours"
