"""Assignment of one result's boxes to a stream's tracks: overlaps, distances, greedy pairs.

Boxes are rows of x, y, width, height as fractions of the frame (seefood.live.tracks).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

SIZE_RATIO = 2.0  # by distance: the most an area changes between two results


def ious(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """IoU of every box in `a` (rows) with every box in `b` (columns), x, y, w, h."""
    x0 = np.maximum(a[:, None, 0], b[None, :, 0])
    y0 = np.maximum(a[:, None, 1], b[None, :, 1])
    x1 = np.minimum(a[:, None, 0] + a[:, None, 2], b[None, :, 0] + b[None, :, 2])
    y1 = np.minimum(a[:, None, 1] + a[:, None, 3], b[None, :, 1] + b[None, :, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    union = (a[:, 2] * a[:, 3])[:, None] + (b[:, 2] * b[:, 3])[None, :] - inter
    result: NDArray[np.float64] = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    return result


def distances(
    a: NDArray[np.float64], b: NDArray[np.float64], size: tuple[int, int]
) -> NDArray[np.float64]:
    """How far each box in `a` is from each in `b`, centre to centre, in `b`'s larger
    side (in pixels of a frame of `size`); infinite where their areas differ more than
    SIZE_RATIO."""
    scale = np.array([*size, *size], np.float64)
    a, b = a * scale, b * scale
    ca, cb = a[:, :2] + a[:, 2:] / 2, b[:, :2] + b[:, 2:] / 2
    far = np.hypot(ca[:, None, 0] - cb[None, :, 0], ca[:, None, 1] - cb[None, :, 1])
    far /= np.maximum(b[:, 2:].max(axis=1), 1e-9)
    areas = (a[:, 2] * a[:, 3])[:, None] / np.maximum(b[:, 2] * b[:, 3], 1e-12)
    far[(areas > SIZE_RATIO) | (areas < 1 / SIZE_RATIO)] = np.inf
    return far


def greedy(rank: NDArray[np.float64]) -> dict[int, int]:
    """Rows to columns, best (highest) first, each at most once; rank <= 0 never."""
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for flat in np.argsort(-rank, axis=None):
        i, j = divmod(int(flat), rank.shape[1])
        if rank[i, j] <= 0:
            break
        if i not in pairs and j not in taken:
            pairs[i] = j
            taken.add(j)
    return pairs
