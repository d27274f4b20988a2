"""Class-aware non-maximum suppression on numpy arrays."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

MATRIX_LIMIT = 512  # boxes up to which all overlaps are computed at once (1 MiB of floats)


def nms(
    boxes: NDArray[np.floating], scores: NDArray[np.float32], iou_threshold: float
) -> NDArray[np.intp]:
    """Indices of the boxes kept by greedy NMS, best first. Boxes are `[N, 4]` x1,y1,x2,y2."""
    order = np.argsort(-scores, kind="stable")
    if order.size <= MATRIX_LIMIT:
        return _nms_matrix(boxes[order], iou_threshold, order)
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    areas = np.maximum(x2 - x1, 0) * np.maximum(y2 - y1, 0)
    keep: list[int] = []
    while order.size:
        i = int(order[0])
        keep.append(i)
        rest = order[1:]
        w = np.maximum(np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]), 0)
        h = np.maximum(np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]), 0)
        inter = w * h
        iou = inter / np.maximum(areas[i] + areas[rest] - inter, 1e-9)
        order = rest[iou <= iou_threshold]
    return np.asarray(keep, dtype=np.intp)


def _nms_matrix(
    ranked: NDArray[np.floating], iou_threshold: float, order: NDArray[np.intp]
) -> NDArray[np.intp]:
    """The same greedy NMS from one matrix of overlaps: a frame's few hundred candidates
    cost one vector operation per kept box, not five (1.8 ms of a 43 ms frame before)."""
    x1, y1, x2, y2 = (ranked[:, k] for k in range(4))
    areas = np.maximum(x2 - x1, 0) * np.maximum(y2 - y1, 0)
    w = np.maximum(np.minimum(x2[:, None], x2) - np.maximum(x1[:, None], x1), 0)
    h = np.maximum(np.minimum(y2[:, None], y2) - np.maximum(y1[:, None], y1), 0)
    inter = w * h
    over = inter / np.maximum(areas[:, None] + areas - inter, 1e-9) > iou_threshold
    suppressed = np.zeros(order.size, dtype=bool)
    keep: list[int] = []
    for i in range(order.size):
        if suppressed[i]:
            continue
        keep.append(i)
        suppressed |= over[i]
    return order[np.asarray(keep, dtype=np.intp)]


def batched_nms(
    boxes: NDArray[np.float32],
    scores: NDArray[np.float32],
    class_ids: NDArray[np.intp],
    iou_threshold: float,
) -> NDArray[np.intp]:
    """NMS within each class only: offset each class's boxes so that classes never overlap."""
    if boxes.shape[0] == 0:
        return np.zeros(0, dtype=np.intp)
    # Shift each class into its own region, wider than all boxes together (negative
    # coordinates included), in float64 so that large offsets keep the boxes' precision.
    coords = boxes.astype(np.float64)
    span = float(coords.max() - coords.min()) + 1.0
    shifted = coords + (class_ids.astype(np.float64) * span)[:, None]
    return nms(shifted, scores, iou_threshold)
