"""The recorder: sightings kept in the background, told to the feed; a full queue loses
sightings (counted), never blocks the session."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from prometheus_client import CollectorRegistry

from seefood.sightings.metrics import SightingMetrics
from seefood.sightings.recorder import QUEUE, Recorder, Seen
from seefood.sightings.sqlite import SQLiteStore
from seefood.sightings.store import Retention
from seefood.sightings.webhooks import Webhooks
from tests.conftest import noise_image
from tests.sightings.helpers import result


def recorder(tmp_path: Path) -> Recorder:
    store = SQLiteStore(tmp_path, Retention(86400, 2**30))
    return Recorder(store, Webhooks([]), SightingMetrics(CollectorRegistry()))


def seen(session: str = "s1") -> Seen:
    return Seen("live", session, noise_image, result(), evidence=3.2)


def test_kept_in_the_background_and_told_to_the_feed(tmp_path: Path) -> None:
    async def main() -> None:
        r = recorder(tmp_path)
        r.start()
        async with r.feed() as feed:
            r.seen(seen())
            told = await asyncio.wait_for(feed.get(), 30)
        assert told is not None and told.session == "s1" and told.evidence == 3.2
        assert r.store.get(told.id) == told
        await r.stop()

    asyncio.run(main())


def test_a_full_queue_loses_sightings_without_waiting(tmp_path: Path) -> None:
    async def main() -> None:
        r = recorder(tmp_path)  # not started: nothing is written meanwhile
        began = time.monotonic()
        for _ in range(QUEUE + 5):
            r.seen(seen())
        assert time.monotonic() - began < 5, "seen() never waits for the disk"
        assert r.metrics.lost._value.get() == 5
        r.start()
        await r.stop()  # what was queued is written before it stops
        assert SQLiteStore(tmp_path, Retention(86400, 2**30)).count() == QUEUE

    asyncio.run(main())


def test_a_feed_that_is_not_read_is_cut_off(tmp_path: Path) -> None:
    async def main() -> None:
        r = recorder(tmp_path)
        async with r.feed() as feed:
            sighting = await r.keep(seen())
            assert sighting is not None
            for _ in range(feed.maxsize + 1):
                r._publish(sighting)
            assert feed.qsize() == 1 and feed.get_nowait() is None, "told it ended"
        await r.stop()

    asyncio.run(main())
