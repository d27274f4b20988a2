"""The waiting room, against a stand-in for the session limits (a dict of places taken)."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from seefood.live.admission import Waiting, WaitingRoom, WaitingRoomFull


class Limits:
    """`total` places in all, `per_client` from one address; `taken` by address."""

    def __init__(self, total: int, per_client: int = 99) -> None:
        self.total, self.per_client = total, per_client
        self.taken: Counter[str] = Counter()

    def room(self, client: str) -> str | None:
        if sum(self.taken.values()) >= self.total:
            return "full"
        if self.taken[client] >= self.per_client:
            return "this address is at its limit"
        return None


async def enter_and_take(room: WaitingRoom, limits: Limits, client: str, order: list[str]) -> None:
    """A client that keeps its place in line (as `seefood stream` and the page do)."""
    ticket = None
    while True:
        try:
            await room.enter(client, ticket)
        except Waiting as exc:
            ticket = exc.ticket
            await asyncio.sleep(exc.retry_after)
            continue
        limits.taken[client] += 1  # in the same step, as SessionManager does
        order.append(client)
        room.changed()
        return


def free(room: WaitingRoom, limits: Limits, client: str) -> None:
    limits.taken[client] -= 1
    room.changed()


def test_with_room_an_offer_goes_straight_in() -> None:
    async def main() -> None:
        limits = Limits(2)
        room = WaitingRoom(limits.room, wait=5)
        await asyncio.wait_for(room.enter("a"), 1)
        assert room.waiting == 0

    asyncio.run(main())


def test_the_line_is_first_come_first_served_and_each_gets_in_when_a_place_frees() -> None:
    async def main() -> list[str]:
        limits = Limits(1)
        limits.taken["x"] = 1
        room = WaitingRoom(limits.room, wait=0.3)
        order: list[str] = []
        tasks = []
        for client in "abc":
            tasks.append(asyncio.create_task(enter_and_take(room, limits, client, order)))
            await asyncio.sleep(0.05)  # each takes its ticket before the next comes
        assert room.waiting == 3 and order == []
        for holder in ["x", "a", "b"]:
            free(room, limits, holder)
            while len(order) < ["x", "a", "b"].index(holder) + 1:
                await asyncio.sleep(0.01)
        await asyncio.gather(*tasks)
        return order

    assert asyncio.run(main()) == ["a", "b", "c"]


def test_an_address_at_its_own_limit_lets_the_next_in_line_by() -> None:
    """A flood of offers from one address that never connect holds that address's places;
    someone behind another address, later in line, still gets in."""

    async def main() -> list[str]:
        limits = Limits(total=4, per_client=2)
        limits.taken["flood"] = 2
        room = WaitingRoom(limits.room, wait=0.3)
        order: list[str] = []
        flood = [
            asyncio.create_task(enter_and_take(room, limits, "flood", order)) for _ in range(5)
        ]
        await asyncio.sleep(0.05)
        viewer = asyncio.create_task(enter_and_take(room, limits, "viewer", order))
        await asyncio.wait_for(viewer, 5)
        for task in flood:
            task.cancel()
        await asyncio.gather(*flood, return_exceptions=True)
        return order

    assert asyncio.run(main()) == ["viewer"]


def test_a_waiting_offer_is_answered_with_its_ticket_and_the_number_ahead() -> None:
    async def main() -> None:
        limits = Limits(1)
        limits.taken["x"] = 1
        room = WaitingRoom(limits.room, wait=0.1)
        with pytest.raises(Waiting) as first:
            await room.enter("a")
        with pytest.raises(Waiting) as second:
            await room.enter("b")
        assert (first.value.ahead, second.value.ahead) == (0, 1)
        assert first.value.why == "full"
        with pytest.raises(Waiting) as again:  # back with its ticket: the same place
            await room.enter("b", second.value.ticket)
        assert again.value.ticket == second.value.ticket and again.value.ahead == 1
        with pytest.raises(Waiting) as stranger:  # a ticket nobody gave: the back of the line
            await room.enter("c", "made-up")
        assert stranger.value.ahead == 2

    asyncio.run(main())


def test_a_waiting_offer_hears_at_once_when_it_moves_up() -> None:
    async def main() -> None:
        limits = Limits(1)
        limits.taken["x"] = 1
        room = WaitingRoom(limits.room, wait=0.05)
        with pytest.raises(Waiting) as a:
            await room.enter("a")
        with pytest.raises(Waiting) as b:
            await room.enter("b")
        room.wait = 60.0  # held "for ever": only moving up may answer it
        held = asyncio.create_task(room.enter("b", b.value.ticket))
        await asyncio.sleep(0.05)
        assert not held.done()
        free(room, limits, "x")
        await room.enter("a", a.value.ticket)  # a goes in; b is now next
        limits.taken["a"] += 1
        room.changed()
        with pytest.raises(Waiting) as moved:
            await asyncio.wait_for(held, 5)
        assert moved.value.ahead == 0

    asyncio.run(main())


def test_a_ticket_nobody_comes_back_for_gives_its_place_to_the_next() -> None:
    async def main() -> None:
        now = [0.0]
        limits = Limits(1)
        limits.taken["x"] = 1
        room = WaitingRoom(limits.room, wait=0, ticket_ttl=5, clock=lambda: now[0])
        with pytest.raises(Waiting):
            await room.enter("gone")
        with pytest.raises(Waiting) as b:
            await room.enter("b")
        free(room, limits, "x")
        # The place is kept for the first in line while its ticket lives...
        with pytest.raises(Waiting):
            await room.enter("b", b.value.ticket)
        now[0] = 6.0  # ... and given on once it has expired.
        await asyncio.wait_for(room.enter("b", b.value.ticket), 1)
        assert room.waiting == 0

    asyncio.run(main())


def test_the_line_is_bounded_per_address_and_in_all() -> None:
    async def main() -> None:
        limits = Limits(1)
        limits.taken["x"] = 1
        room = WaitingRoom(limits.room, wait=0, max_waiting=3, max_waiting_per_client=2)
        for client in ["a", "a", "b"]:
            with pytest.raises(Waiting):
                await room.enter(client)
        with pytest.raises(WaitingRoomFull) as mine:
            await room.enter("a")
        assert mine.value.this_client
        with pytest.raises(WaitingRoomFull) as everyone:
            await room.enter("c")
        assert not everyone.value.this_client

    asyncio.run(main())
