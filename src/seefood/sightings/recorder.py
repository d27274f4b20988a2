"""The recorder: turns confirmed hot dogs into kept sightings, then tells the feed and the
webhooks. Sessions hand it what they saw without waiting (a bounded queue: a slow disk
loses sightings, counted, never frames); the pictures are drawn and written in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from seefood.detection.result import DetectionResult
from seefood.sightings.metrics import SightingMetrics
from seefood.sightings.sighting import Sighting, Source, new_id
from seefood.sightings.snapshots import render
from seefood.sightings.store import SightingStore
from seefood.sightings.webhooks import Delivery, Webhooks
from seefood.types import RGBImage

log = logging.getLogger("seefood.sightings")

QUEUE = 32  # sightings waiting to be written
FEED_QUEUE = 64  # new sightings a feed's reader may fall behind by before it is cut off
MAX_FEEDS = 64  # readers of the feed at once
STOP_WAIT = 30.0  # seconds a stopping server gives the queued sightings to be written


@dataclass(frozen=True, slots=True)
class Seen:
    """What a session or a still saw when the verdict confirmed a hot dog."""

    source: Source
    session: str | None
    picture: Callable[[], RGBImage]  # the frame (converted only when kept: in the thread)
    result: DetectionResult  # about the picture
    evidence: float | None = None


class TooManyFeeds(RuntimeError):
    pass


class Recorder:
    def __init__(self, store: SightingStore, webhooks: Webhooks, metrics: SightingMetrics) -> None:
        self.store = store
        self.webhooks = webhooks
        self.metrics = metrics
        self._queue: asyncio.Queue[Seen] = asyncio.Queue(QUEUE)
        self._feeds: set[asyncio.Queue[Sighting | None]] = set()
        self._task: asyncio.Task[None] | None = None
        metrics.watch_store(store.disk_bytes)

    def start(self) -> None:
        self.webhooks.start()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Write what is queued, then stop; the feeds' readers are told it ended."""
        if self._task is not None:
            with contextlib.suppress(TimeoutError):  # a disk that hangs does not hold us
                await asyncio.wait_for(self._queue.join(), STOP_WAIT)
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for feed in list(self._feeds):
            _end(feed)
        await self.webhooks.stop()
        await asyncio.to_thread(self.store.close)

    def seen(self, seen: Seen) -> None:
        """Keep it soon (a live session: it does not wait)."""
        try:
            self._queue.put_nowait(seen)
        except asyncio.QueueFull:
            log.warning("sightings queue full: one not kept", extra={"session": seen.session})
            self.metrics.lost.inc()

    async def keep(self, seen: Seen) -> Sighting | None:
        """Keep it now (a still: the answer says what was kept)."""
        return await self._record(seen)

    async def _run(self) -> None:
        while True:
            seen = await self._queue.get()
            try:
                await self._record(seen)
            finally:
                self._queue.task_done()

    async def _record(self, seen: Seen) -> Sighting | None:
        try:
            kept = await asyncio.to_thread(self._write, seen, time.time())
        except Exception:
            log.exception("sighting not kept")
            self.metrics.lost.inc()
            return None
        if kept is None:
            self.metrics.lost.inc()
            return None
        self.metrics.sightings.labels(kept.source).inc()
        log.info("sighting", extra={"id": kept.id, "session": kept.session})
        self._publish(kept)
        return kept

    def _write(self, seen: Seen, now: float) -> Sighting | None:
        snapshot = render(seen.picture(), seen.result)
        sighting = Sighting(
            id=new_id(),
            seen=round(now, 6),  # as precise as the JSON's time
            source=seen.source,
            session=seen.session,
            score=seen.result.hotdog_score,
            evidence=seen.evidence,
            box=snapshot.box,
            width=snapshot.width,
            height=snapshot.height,
        )
        return self.store.add(sighting, snapshot)

    def _publish(self, sighting: Sighting) -> None:
        body = sighting.to_json().model_dump_json().encode()
        self.webhooks.send(Delivery(sighting.id, body))
        for feed in list(self._feeds):
            try:
                feed.put_nowait(sighting)
            except asyncio.QueueFull:  # a reader that does not read: cut off
                self._feeds.discard(feed)
                _end(feed)

    @contextlib.asynccontextmanager
    async def feed(self) -> AsyncIterator[asyncio.Queue[Sighting | None]]:
        """New sightings as they are kept; None when the recorder stops."""
        if len(self._feeds) >= MAX_FEEDS:
            raise TooManyFeeds(f"{MAX_FEEDS} readers of the sightings feed already")
        queue: asyncio.Queue[Sighting | None] = asyncio.Queue(FEED_QUEUE)
        self._feeds.add(queue)
        try:
            yield queue
        finally:
            self._feeds.discard(queue)


def _end(feed: asyncio.Queue[Sighting | None]) -> None:
    """Tell a feed's reader it ended (what it had not read is dropped: it reloads the list)."""
    while not feed.empty():
        feed.get_nowait()
    feed.put_nowait(None)
