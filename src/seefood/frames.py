"""What travels from a stream to an inference daemon: a frame that becomes RGB on demand."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from seefood.images import RGBImage


class Frame(Protocol):
    """A video frame or image; `to_rgb` runs in the daemon's thread, only for frames inferred."""

    arrived: float  # time.monotonic() when it reached the server

    def to_rgb(self) -> RGBImage: ...


@dataclass(slots=True)
class ArrayFrame:
    """A frame that is already an RGB array (still images, synthetic streams)."""

    image: RGBImage
    arrived: float = field(default_factory=time.monotonic)

    def to_rgb(self) -> RGBImage:
        return self.image
