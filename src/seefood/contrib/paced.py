"""A video track that plays a source in real time at its rate, or at the server's pace.

Both of `seefood stream`'s tracks (decoded frames it encodes, and packets it sends as they
are) follow the pace the same way: the source keeps its own clock, and the frames that fall
between two sent ones are left out, so a file still plays in real time at any pace.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Generic, TypeVar

from aiortc.mediastreams import MediaStreamTrack

T = TypeVar("T")

SOURCE_FPS = 30.0  # the rate of the files and patterns sent
CLOCK = 90_000  # RTP's video clock


class PacedTrack(MediaStreamTrack, Generic[T]):
    """`next_item()` gives the source's item due now and its RTP timestamp, at most
    `max_fps` (the server's pace; None: the source's own rate) a second. With `droppable`
    False every item is sent, at the source's rate, whatever the pace."""

    kind = "video"

    def __init__(self, source: Iterator[T], *, droppable: bool = True) -> None:
        super().__init__()
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
        elif wait < -2 / SOURCE_FPS:  # fell behind (a busy machine): from now, no burst
            self._began = now - self._due
        at = self._due
        item = self._last
        rate = SOURCE_FPS
        if self.droppable:
            rate = min(self.max_fps or SOURCE_FPS, SOURCE_FPS)
            while self._played <= at * SOURCE_FPS + 1e-6:  # the source up to now; the last
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
        return item, int(at * CLOCK)
