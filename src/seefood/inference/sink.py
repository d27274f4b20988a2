"""The inference sink: one per stream, holding only the newest frame not yet inferred."""

from __future__ import annotations

import asyncio
from typing import Generic, TypeVar

F = TypeVar("F")


class SinkClosed(Exception):
    pass


class LatestFrameSink(Generic[F]):
    """A one-slot mailbox: a new frame replaces an unprocessed older one, which is counted."""

    def __init__(self) -> None:
        self._frame: F | None = None
        self._ready = asyncio.Event()
        self._closed = False
        self.frames_in = 0
        self.replaced = 0

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def pending(self) -> bool:
        return self._frame is not None

    def put(self, frame: F) -> bool:
        """Offer a frame; returns True if it replaced one that was never inferred."""
        if self._closed:
            return False
        self.frames_in += 1
        replaced = self._frame is not None
        if replaced:
            self.replaced += 1
        self._frame = frame
        self._ready.set()
        return replaced

    def put_back(self, frame: F) -> None:
        """Return a frame whose request was dropped, unless a newer one has arrived since."""
        if self._frame is None and not self._closed:
            self._frame = frame
            self._ready.set()

    async def get(self) -> F:
        """Wait for the newest pending frame and take it."""
        while self._frame is None:
            if self._closed:
                raise SinkClosed
            self._ready.clear()
            await self._ready.wait()
        frame, self._frame = self._frame, None
        return frame

    def close(self) -> None:
        self._closed = True
        self._frame = None
        self._ready.set()
