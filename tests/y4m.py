"""Writing YUV4MPEG2 (.y4m) video: Chrome's fake camera plays it, PyAV and ffmpeg read it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import av
import numpy as np

from seefood.types import RGBImage


def write_y4m(path: Path, frames: Iterable[RGBImage], fps: int = 30) -> int:
    """Write RGB frames (all one even size) as 4:2:0 Y4M; returns the number of frames."""
    count = 0
    with path.open("wb") as f:
        for rgb in frames:
            height, width = rgb.shape[:2]
            if width % 2 or height % 2:
                raise ValueError(f"Y4M 4:2:0 needs even sizes, got {width}x{height}")
            if count == 0:
                f.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
            yuv = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            planes = yuv.reformat(format="yuv420p").to_ndarray()  # Y, then U, then V rows
            f.write(b"FRAME\n")
            f.write(planes.tobytes())
            count += 1
    return count
