"""Streaming on through a network that drops and a server that restarts: reconnect with
back-off, as the page does, and keep what each session gave."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from seefood.client.stream import Refused, StreamClient, Unreachable

MAX_RETRIES = 5  # consecutive failed reconnects, 1 + 2 + 4 + 8 + 16 s apart, as the page


@dataclass
class Outcome:
    """What a run of `keep_streaming` gave, and why it stopped early if it did."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    sent: int = 0  # frames sent
    error: Exception | None = None  # why it gave up, if it did


async def keep_streaming(
    new_client: Callable[[], StreamClient],
    duration: float,
    say: Callable[[str], None],
    outcome: Outcome | None = None,
) -> Outcome:
    """Stream for `duration`, reconnecting with back-off when the server goes away.

    A server that cannot be reached at first fails at once (a wrong address should); a busy
    one (its line, 429, 503) is waited for, first connection or not, as long as the run
    lasts; after a first connection an outage is ridden out with up to MAX_RETRIES tries in
    a row. What was received before it gave up (or was cancelled) is in the outcome (the
    one given, filled as it goes) either way.
    """
    deadline = time.monotonic() + duration
    outcome = outcome if outcome is not None else Outcome()
    failures = 0
    connected_once = False
    while time.monotonic() < deadline:
        client = new_client()
        try:
            await client.start(on_wait=say, give_up_at=deadline)
        except (Unreachable, Refused) as exc:
            await client.pc.close()
            busy = isinstance(exc, Refused) and exc.passing
            unreachable_at_first = isinstance(exc, Unreachable) and not connected_once
            permanent = isinstance(exc, Refused) and not exc.passing
            if unreachable_at_first or permanent or failures >= MAX_RETRIES:
                outcome.error = exc
                return outcome
            delay = 2.0**failures
            if busy and isinstance(exc, Refused) and exc.retry_after is not None:
                delay = max(exc.retry_after, 0.5)
            failures += 0 if busy else 1
            say(f"{exc}; trying again in {delay:g} s")
            await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            continue
        connected_once, failures = True, 0
        try:
            while time.monotonic() < deadline and client.ending is None:
                await asyncio.sleep(0.05)
        finally:
            ending = client.ending
            await client.stop()
            outcome.messages += client.messages
            outcome.sent += client.track.sent
        if ending is None or ending == "the video ended":
            break
        say(f"{ending}; reconnecting")
    return outcome
