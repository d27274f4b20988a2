"""The tracks' common clock: a source played in real time, at its rate or the server's pace."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from seefood.client.paced import CLOCK, SOURCE_FPS, PacedTrack


class Counter(PacedTrack[int]):
    """The plainest track: what it sends is the item itself."""

    async def recv(self) -> int:  # type: ignore[override]
        return (await self.next_item())[0]


def _take(track: PacedTrack[int], n: int) -> list[tuple[int, int]]:
    async def run() -> list[tuple[int, int]]:
        return [await track.next_item() for _ in range(n)]

    return asyncio.run(run())


def test_at_its_own_rate_every_item_is_sent_a_frame_apart() -> None:
    got = _take(Counter(itertools.count()), 4)
    assert [item for item, _ in got] == [0, 1, 2, 3]
    assert [ts for _, ts in got] == [round(i * CLOCK / SOURCE_FPS) for i in range(4)]


def test_timestamps_stay_on_the_frame_grid() -> None:
    """Seconds summed 1/fps at a time fall a hair short of whole ticks: at 30 fps frame 60
    was stamped 179999, one tick into frame 59's slot (a bench counted it a photo early).
    At 300 fps the same sum goes wrong from frame 4; 300 frames take a second."""
    got = _take(Counter(itertools.count(), fps=300.0), 300)
    assert [ts for _, ts in got] == [i * 300 for i in range(300)]


def test_paced_it_leaves_items_out_and_keeps_the_source_in_real_time() -> None:
    track = Counter(itertools.count())
    track.max_fps = SOURCE_FPS / 3
    got = _take(track, 4)
    assert [item for item, _ in got] == [0, 3, 6, 9], "the items between sent ones left out"
    assert [ts for _, ts in got] == [round(i * 3 * CLOCK / SOURCE_FPS) for i in range(4)]
    assert track.sent == 4


def test_an_undroppable_source_is_sent_whole_whatever_the_pace() -> None:
    track = Counter(itertools.count(), droppable=False)
    track.max_fps = 5.0
    assert [item for item, _ in _take(track, 3)] == [0, 1, 2]


def test_the_track_ends_with_its_source() -> None:
    track = Counter(iter([1]))
    _take(track, 1)
    with pytest.raises(asyncio.CancelledError):
        _take(track, 1)
    assert track.readyState == "ended"
