"""A received video frame on its way to inference: decoded, not yet RGB, with its CVO."""

from __future__ import annotations

from dataclasses import dataclass

import av
import numpy as np

from seefood.detection.memory import CropMemory
from seefood.live.orientation import Orientation, make_upright
from seefood.live.reuse import Thumbnail
from seefood.types import RGBImage


@dataclass(slots=True)
class ReceivedFrame:
    frame: av.VideoFrame
    orientation: Orientation
    arrived: float  # time.monotonic() when the decoded frame reached the session
    rtp_timestamp: int  # as the sender stamped it (aiortc rebases frame.pts to 0)
    memory: CropMemory | None = None  # the session's
    max_side: int | None = None  # a longer side is scaled down to this before inference
    thumbnail: Thumbnail | None = None  # its small grey copy, when the stream reuses results

    @property
    def picture(self) -> tuple[int, int, Orientation]:
        """What a result is about besides the pixels: size and orientation."""
        return (self.frame.width, self.frame.height, self.orientation)

    @property
    def upright_size(self) -> tuple[int, int]:
        return self.orientation.upright_size(self.frame.width, self.frame.height)

    @property
    def inferred_size(self) -> tuple[int, int]:
        """The (width, height) of the frame as the models get it, not yet turned upright:
        no side longer than `max_side` (4K from a phone is brought down, not refused)."""
        width, height = self.frame.width, self.frame.height
        side = max(width, height)
        if self.max_side is None or side <= self.max_side:
            return width, height
        scale = self.max_side / side
        return max(2, round(width * scale)), max(2, round(height * scale))

    def to_rgb(self) -> RGBImage:
        """Convert (in the daemon's thread, only for frames that get inferred), scaled down
        in the same step (libswscale) when larger than needed, and turn upright."""
        width, height = self.inferred_size
        if (width, height) == (self.frame.width, self.frame.height):
            rgb = self.frame.to_ndarray(format="rgb24")
        else:
            rgb = self.frame.reformat(width, height, format="rgb24").to_ndarray()
        return make_upright(np.asarray(rgb, dtype=np.uint8), self.orientation)
