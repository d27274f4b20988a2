"""A received video frame on its way to inference: decoded, not yet RGB, with its CVO."""

from __future__ import annotations

from dataclasses import dataclass

import av
import numpy as np

from seefood.detection.memory import CropMemory
from seefood.live.orientation import Orientation, make_upright
from seefood.types import RGBImage


@dataclass(slots=True)
class ReceivedFrame:
    frame: av.VideoFrame
    orientation: Orientation
    arrived: float  # time.monotonic() when the decoded frame reached the session
    rtp_timestamp: int  # as the sender stamped it (aiortc rebases frame.pts to 0)
    memory: CropMemory | None = None  # the session's

    @property
    def upright_size(self) -> tuple[int, int]:
        return self.orientation.upright_size(self.frame.width, self.frame.height)

    def to_rgb(self) -> RGBImage:
        """Convert (in the daemon's thread, only for frames that get inferred) and turn upright."""
        rgb = np.asarray(self.frame.to_ndarray(format="rgb24"), dtype=np.uint8)
        return make_upright(rgb, self.orientation)
