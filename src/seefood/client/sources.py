"""What `seefood stream` sends: a video file's frames or a test pattern, as an aiortc track."""

from __future__ import annotations

import fractions
import math
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from seefood.client.paced import CLOCK, SOURCE_FPS, PacedTrack
from seefood.live.orientation import Orientation, rotate_away
from seefood.types import RGBImage


class SourceError(ValueError):
    """The file to send is not a video this client can read; the message says why."""


def file_frames(path: Path, loop: bool) -> Iterator[RGBImage]:
    """Decoded RGB frames of any video PyAV opens, from the start again if `loop`.

    Raises SourceError at once, before any frame, if the file is no video.
    """
    try:
        with av.open(str(path)) as probe:
            if not probe.streams.video:
                raise SourceError(f"{path} has no video stream")
    except (av.error.FFmpegError, OSError) as exc:
        raise SourceError(f"{path} is not a video this client can read ({exc})") from None
    return _decoded_frames(path, loop)


def _decoded_frames(path: Path, loop: bool) -> Iterator[RGBImage]:
    while True:
        with av.open(str(path)) as container:
            produced = False
            for frame in container.decode(video=0):
                produced = True
                yield np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
        if not loop or not produced:
            return


def pattern_frames(width: int = 640, height: int = 480) -> Iterator[RGBImage]:
    """A synthetic test pattern: colour bars with a moving white square."""
    bars = np.zeros((height, width, 3), np.uint8)
    colours = [
        (255, 255, 255),
        (255, 255, 0),
        (0, 255, 255),
        (0, 255, 0),
        (255, 0, 255),
        (255, 0, 0),
        (0, 0, 255),
        (16, 16, 16),
    ]
    for i, colour in enumerate(colours):
        bars[:, i * width // 8 : (i + 1) * width // 8] = colour
    n = 0
    while True:
        frame = bars.copy()
        x = int((math.sin(n / 30) + 1) / 2 * (width - 80))
        frame[height // 2 - 40 : height // 2 + 40, x : x + 80] = 255
        n += 1
        yield frame


class SourceTrack(PacedTrack[RGBImage]):
    """Decoded frames, encoded by aiortc, at the source's rate or the server's pace (see
    PacedTrack); turns each frame away from upright when a rotation is simulated."""

    def __init__(
        self, frames: Iterator[RGBImage], orientation: Orientation, fps: float = SOURCE_FPS
    ) -> None:
        super().__init__(frames, fps=fps)
        self.orientation = orientation

    async def recv(self) -> av.VideoFrame:
        image, pts = await self.next_item()
        height, width = image.shape[:2]
        image = image[: height - height % 2, : width - width % 2]  # 4:2:0 needs even sizes
        image = rotate_away(image, self.orientation)
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
        frame.pts = pts
        frame.time_base = fractions.Fraction(1, CLOCK)
        return frame
