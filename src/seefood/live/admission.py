"""The waiting room: offers that cannot start a session now wait for a place, in order.

A session needs a place under the server's limits (sessions at once, sessions connecting,
and those from one address: see `SessionManager`). An offer that finds none takes a
*ticket* and waits, its HTTP request held for up to `wait` seconds; then (or as soon as
the number ahead of it changes, so that the client can say so) it is answered 503 with the
ticket, and comes back with it to keep its place. Tickets are served first come, first
served, except that a ticket whose own address is at its connecting limit lets the next
one by: offers that never connect hold their address's few connecting places and nothing
else, so they cannot lock out anyone behind another address, and people behind one
address (an office, a family behind NAT) all get in, a few at a time.

A ticket whose holder is away (between two requests) keeps its place for `ticket_ttl`
seconds: a place that frees meanwhile is kept for it, and is given on when it expires.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass


class Waiting(Exception):
    """No place yet (HTTP 503): come back with `ticket` after `retry_after` seconds."""

    def __init__(self, ticket: str, ahead: int, why: str, retry_after: int) -> None:
        super().__init__(why)
        self.ticket = ticket
        self.ahead = ahead
        self.why = why
        self.retry_after = retry_after


class WaitingRoomFull(Exception):
    """Too many are waiting already, in all or from this address (HTTP 429 or 503)."""

    def __init__(self, message: str, *, this_client: bool) -> None:
        super().__init__(message)
        self.this_client = this_client


@dataclass(slots=True)
class _Ticket:
    id: str
    client: str
    last_seen: float
    holders: int = 0  # requests waiting with it now


# Why there is no place for a client now, or None when there is one.
Room = Callable[[str], str | None]


class WaitingRoom:
    def __init__(
        self,
        room: Room,
        *,
        wait: float = 10.0,
        max_waiting: int = 64,
        max_waiting_per_client: int = 16,
        ticket_ttl: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.room = room
        self.wait = wait
        self.max_waiting = max_waiting
        self.max_waiting_per_client = max_waiting_per_client
        self.ticket_ttl = ticket_ttl
        self.clock = clock
        self._tickets: dict[str, _Ticket] = {}  # in the order they were given: a queue
        self._changed = asyncio.Event()

    @property
    def waiting(self) -> int:
        """Tickets in line, held by a request now or kept for a holder who is away."""
        return len(self._tickets)

    @property
    def held(self) -> int:
        """Requests held open in line now."""
        return sum(t.holders for t in self._tickets.values())

    def changed(self) -> None:
        """A place may have freed (a session ended, connected, or an offer was answered)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def enter(self, client: str, ticket_id: str | None = None) -> None:
        """Return when `client` may start a session; raise Waiting (or WaitingRoomFull)."""
        self._expire()
        ticket = self._tickets.get(ticket_id) if ticket_id else None
        if ticket is None:
            if self.room(client) is None and self._first_eligible() is None:
                return  # nobody waits for a place that is free: straight in
            ticket = self._new_ticket(client)
        ticket.client = client  # a phone that changed networks keeps its place
        ticket.holders += 1
        try:
            await self._wait_turn(ticket)
        finally:
            ticket.holders -= 1
            ticket.last_seen = self.clock()

    def ahead(self, ticket_id: str) -> int:
        """How many tickets were given before this one and still wait."""
        count = 0
        for other in self._tickets:
            if other == ticket_id:
                return count
            count += 1
        return count

    async def _wait_turn(self, ticket: _Ticket) -> None:
        deadline = self.clock() + self.wait
        told = self.ahead(ticket.id)
        while True:
            self._expire()
            if self._first_eligible() is ticket:
                del self._tickets[ticket.id]
                self.changed()  # the rest move up
                return
            ahead = self.ahead(ticket.id)
            remaining = deadline - self.clock()
            if remaining <= 0 or ahead < told:
                why = self.room(ticket.client) or "others came first and have the places"
                # Held a while already: the client may come straight back; unheld, after 1 s.
                raise Waiting(ticket.id, ahead, why, 0 if self.wait >= 1 else 1)
            changed = self._changed
            try:
                # Woken by a change; at least each second, to see tickets expire.
                async with asyncio.timeout(min(remaining, 1.0)):
                    await changed.wait()
            except TimeoutError:
                pass

    def _first_eligible(self) -> _Ticket | None:
        """The oldest ticket whose address has a place now: the one served next."""
        for ticket in self._tickets.values():
            if self.room(ticket.client) is None:
                return ticket
        return None

    def _new_ticket(self, client: str) -> _Ticket:
        if sum(t.client == client for t in self._tickets.values()) >= self.max_waiting_per_client:
            raise WaitingRoomFull(
                f"{self.max_waiting_per_client} calls from this address are waiting for a "
                "place already",
                this_client=True,
            )
        if len(self._tickets) >= self.max_waiting:
            raise WaitingRoomFull(
                f"the server is full and {len(self._tickets)} calls are waiting already",
                this_client=False,
            )
        ticket = _Ticket(secrets.token_urlsafe(12), client, self.clock())
        self._tickets[ticket.id] = ticket
        return ticket

    def _expire(self) -> None:
        """Forget tickets nobody came back for: their places go to the next in line."""
        now = self.clock()
        gone = [
            t.id
            for t in self._tickets.values()
            if t.holders == 0 and now - t.last_seen > self.ticket_ttl
        ]
        for ticket_id in gone:
            del self._tickets[ticket_id]
        if gone:
            self.changed()
