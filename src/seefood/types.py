"""Types shared by every stage, at the ground floor: nothing in seefood is imported here."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

RGBImage = NDArray[np.uint8]  # (height, width, 3), upright, RGB order

Verdict = Literal["hotdog", "not_hotdog"]

Size = tuple[int, int]  # (width, height) in pixels
