"""Turning raw detector outputs into candidate boxes, one function per output layout.

Every decoder takes one image's outputs (batch dimension removed) and returns candidates in
model-input pixels: x1,y1,x2,y2 boxes, scores and class ids. A cell or anchor may yield a
candidate for each class that clears the floor (multi-label), so a hot dog that is only the
second-best guess for its box still counts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

STRIDES = (8, 16, 32)  # the YOLO family's and NanoDet's feature-map strides

# A single score floor, or one per class (broadcast over the class axis).
Floor = float | NDArray[np.float32]


class Candidates(NamedTuple):
    boxes: NDArray[np.float32]  # [N, 4] x1, y1, x2, y2 in model input pixels
    scores: NDArray[np.float32]  # [N]
    class_ids: NDArray[np.intp]  # [N]


def _select(scores: NDArray[np.float32], floor: Floor) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    # flatnonzero on the flat mask is ~8x faster than a 2-D np.nonzero on [N, 80].
    flat = np.flatnonzero(scores >= floor)
    rows, cols = np.divmod(flat, scores.shape[1])
    return rows.astype(np.intp), cols.astype(np.intp)


def grid(width: int, height: int, stride: int) -> tuple[int, int]:
    """(columns, rows) of the feature map at `stride` (a partial cell counts)."""
    return math.ceil(width / stride), math.ceil(height / stride)


def cells(width: int, height: int) -> int:
    """Anchor points over all strides, as YOLOX and YOLOv5 lay out their rows."""
    return sum(math.prod(grid(width, height, s)) for s in STRIDES)


def nanodet_score_width(widths: Sequence[int]) -> int:
    """Which of NanoDet's per-stride tensor widths is the class scores, not the box bins.

    Box tensors are 4 * (reg_max + 1) wide. COCO's 80 is also a multiple of 4, so 80 wins
    when present; otherwise the width that is not a multiple of 4, else the narrower.
    """
    unique = sorted(set(widths))
    if 80 in unique:
        return 80
    odd = [w for w in unique if w % 4]
    return odd[0] if odd else unique[0]


def nanodet_pairs(shapes: Sequence[tuple[int, ...]]) -> list[tuple[int, int]] | None:
    """NanoDet's outputs grouped per stride: (score index, box index) pairs, or None.

    `shapes` are one image's output shapes `[N, C]` (batch removed). Each stride has two
    tensors with the same N: class scores and box distributions, told apart by width.
    """
    if len(shapes) < 2 or len(shapes) % 2 or any(len(s) != 2 for s in shapes):
        return None
    by_n: dict[int, list[int]] = {}
    for index, shape in enumerate(shapes):
        by_n.setdefault(shape[0], []).append(index)
    pairs = []
    for indices in by_n.values():
        if len(indices) != 2:
            return None
        widths = [shapes[i][1] for i in indices]
        score = nanodet_score_width(widths)
        box = widths[0] + widths[1] - score
        if min(widths) <= 0 or box % 4 or score not in widths:
            return None
        first_is_score = widths[0] == score
        pairs.append((indices[0], indices[1]) if first_is_score else (indices[1], indices[0]))
    return pairs


def _xywh_to_xyxy(xywh: NDArray[np.float32]) -> NDArray[np.float32]:
    half = xywh[:, 2:4] / 2
    return np.concatenate([xywh[:, :2] - half, xywh[:, :2] + half], axis=1)


def nanodet(
    levels: list[tuple[NDArray[np.float32], NDArray[np.float32]]],
    input_size: tuple[int, int],
    floor: Floor,
) -> Candidates:
    """NanoDet: per stride, sigmoid class scores `[N, C]` and box distributions `[N, 4*(R+1)]`.

    Each side's distance from the cell centre is the expected value of a softmax over R+1 bins,
    in units of the stride; the centre of cell (col, row) is `(col + 0.5, row + 0.5) * stride`.
    """
    width, height = input_size
    boxes, scores, classes = [], [], []
    for cls_scores, dists in levels:
        n = cls_scores.shape[0]
        stride = next(s for s in (*STRIDES, 64) if math.prod(grid(width, height, s)) == n)
        cols = grid(width, height, stride)[0]
        cells, class_ids = _select(cls_scores, floor)
        if cells.size == 0:
            continue
        unique, inverse = np.unique(cells, return_inverse=True)
        bins = dists[unique].reshape(unique.size, 4, -1)
        bins = np.exp(bins - bins.max(axis=2, keepdims=True))
        bins /= bins.sum(axis=2, keepdims=True)
        sides = (bins @ np.arange(bins.shape[2], dtype=np.float32)) * stride  # [U, 4] l, t, r, b
        cx = ((unique % cols) + 0.5) * stride
        cy = ((unique // cols) + 0.5) * stride
        xyxy = np.stack(
            [cx - sides[:, 0], cy - sides[:, 1], cx + sides[:, 2], cy + sides[:, 3]], axis=1
        )
        boxes.append(xyxy[inverse])
        scores.append(cls_scores[cells, class_ids])
        classes.append(class_ids)
    return _concat(boxes, scores, classes)


def yolox(output: NDArray[np.float32], input_size: tuple[int, int], floor: Floor) -> Candidates:
    """YOLOX (official export, no decode in graph): `[N, 5+C]` raw grid offsets.

    x, y are offsets from the cell's corner in strides, w, h are log sizes in strides,
    objectness and class scores are already sigmoid.
    """
    width, height = input_size
    grids, strides = [], []
    for stride in STRIDES:
        ncols, nrows = width // stride, height // stride
        ys, xs = np.meshgrid(np.arange(nrows), np.arange(ncols), indexing="ij")
        grids.append(np.stack([xs.ravel(), ys.ravel()], axis=1))
        strides.append(np.full(ncols * nrows, stride))
    grid = np.concatenate(grids).astype(np.float32)
    stride_col = np.concatenate(strides).astype(np.float32)[:, None]
    if grid.shape[0] != output.shape[0]:
        raise ValueError(f"YOLOX output has {output.shape[0]} rows, input implies {grid.shape[0]}")
    scores = output[:, 5:] * output[:, 4:5]
    rows, class_ids = _select(scores, floor)
    sel = output[rows]
    xy = (sel[:, :2] + grid[rows]) * stride_col[rows]
    wh = np.exp(np.minimum(sel[:, 2:4], 20.0)) * stride_col[rows]  # clamp: no inf from garbage
    boxes = _xywh_to_xyxy(np.concatenate([xy, wh], axis=1))
    return Candidates(boxes.astype(np.float32), scores[rows, class_ids], class_ids)


def yolov5(output: NDArray[np.float32], floor: Floor) -> Candidates:
    """YOLOv5 (decoded export): `[N, 5+C]` cx, cy, w, h in input pixels, objectness, classes."""
    scores = output[:, 5:] * output[:, 4:5]
    rows, class_ids = _select(scores, floor)
    boxes = _xywh_to_xyxy(output[rows, :4])
    return Candidates(boxes.astype(np.float32), scores[rows, class_ids], class_ids)


def yolov8(output: NDArray[np.float32], floor: Floor) -> Candidates:
    """YOLOv8 and later Ultralytics exports: `[4+C, N]` cx, cy, w, h then class scores."""
    scores = output[4:].T
    rows, class_ids = _select(scores, floor)
    boxes = _xywh_to_xyxy(output[:4, rows].T)
    return Candidates(boxes.astype(np.float32), scores[rows, class_ids], class_ids)


def _concat(
    boxes: list[NDArray[np.float32]],
    scores: list[NDArray[np.float32]],
    classes: list[NDArray[np.intp]],
) -> Candidates:
    if not boxes:
        return Candidates(
            np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.intp)
        )
    return Candidates(
        np.concatenate(boxes).astype(np.float32),
        np.concatenate(scores).astype(np.float32),
        np.concatenate(classes),
    )
