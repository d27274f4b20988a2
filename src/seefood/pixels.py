"""Turning pictures upright: an EXIF orientation or a camera's CVO says how, this does it."""

from __future__ import annotations

import numpy as np

from seefood.types import RGBImage


def turned(image: RGBImage, *, mirror: bool, quarter_turns: int) -> RGBImage:
    """Mirrored left-right first, then turned clockwise (a copy only when needed)."""
    if mirror:
        image = image[:, ::-1]
    if quarter_turns % 4:
        image = np.rot90(image, k=-quarter_turns)  # negative k: clockwise
    return np.ascontiguousarray(image)
