"""A video track that plays a source in real time at its rate, or at the server's pace.

Both of `seefood stream`'s tracks (decoded frames it encodes, and packets it sends as they
are) follow the pace the same way: the source keeps its own clock, and the frames that fall
between two sent ones are left out, so a file still plays in real time at any pace.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Generic, TypeVar

import av
from aiortc.mediastreams import MediaStreamTrack

T = TypeVar("T")

SOURCE_FPS = 30.0  # the rate of patterns, and of files that do not say theirs
CLOCK = 90_000  # RTP's video clock


class PacedTrack(MediaStreamTrack, Generic[T]):
    """`next_item()` gives the source's item due now and its RTP timestamp, at most
    `max_fps` (the server's pace; None: the source's own rate, `fps`) a second. With
    `droppable` False every item is sent, at the source's rate, whatever the pace."""

    kind = "video"

    def __init__(
        self, source: Iterator[T], *, droppable: bool = True, fps: float = SOURCE_FPS
    ) -> None:
        super().__init__()
        self.fps = fps
        self.max_fps: float | None = None
        self.sent = 0
        self._source = source
        self.droppable = droppable
        self._began: float | None = None
        self._due = 0.0  # seconds from the start to the next item sent
        self._played = 0  # source items taken, sent or left out
        self._last: T | None = None

    async def next_item(self) -> tuple[T, int]:
        """Ends the track (aiortc's sender stops quietly) when the source is exhausted."""
        now = time.monotonic()
        if self._began is None:
            self._began = now
        wait = self._began + self._due - now
        if wait > 0:
            await asyncio.sleep(wait)
        elif wait < -2 / self.fps:  # fell behind (a busy machine): from now, no burst
            self._began = now - self._due
        at = self._due
        item = self._last
        rate = self.fps
        if self.droppable:
            rate = min(self.max_fps or self.fps, self.fps)
            while self._played <= at * self.fps + 1e-6:  # the source up to now; the last
                item = next(self._source, None)
                self._played += 1
                if item is None:
                    break
        else:
            item = next(self._source, None)
        if item is None:
            self.stop()
            raise asyncio.CancelledError
        self._last = item
        self._due += 1 / rate
        self.sent += 1
        return item, round(at * CLOCK)  # int() of 60 * (1/30) summed gave 179999


def frame_rate(path: Path) -> float:
    """The frames per second a video file says it plays at (SOURCE_FPS if it says none)."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate
    except (av.error.FFmpegError, OSError, IndexError):
        return SOURCE_FPS
    return float(rate) if rate and 1 <= float(rate) <= 240 else SOURCE_FPS
