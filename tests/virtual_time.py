"""An event loop on a virtual clock: time moves only when every task waits, and then jumps
to the next timer, so that tests of deadlines and back-offs run in no time and do not
depend on how busy this machine is. The broker gets the same clock (`loop.time`)."""

from __future__ import annotations

import asyncio
import faulthandler
import selectors
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class _Selector(selectors.DefaultSelector):
    def __init__(self, advance: Callable[[float], None]) -> None:
        super().__init__()
        self._advance = advance

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is None:  # no timer at all: only a real event can wake the loop
            return super().select(None)
        events = super().select(0)  # what is ready now (the loop's own wake-ups)
        if not events and timeout > 0:
            self._advance(timeout)  # nothing to do until the next timer: jump to it
        return events


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self._now = 0.0
        super().__init__(_Selector(self._advance))

    def time(self) -> float:
        return self._now

    def _advance(self, seconds: float) -> None:
        self._now += seconds


LIMIT = 3600.0  # virtual seconds: a deadlocked test jumps here at once and fails
WATCHDOG = 120  # real seconds: one blocked outside the loop fails the run, stacks shown


def run_virtual(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` on virtual time. Only for code that waits on timers and the loop itself:
    a thread's result arrives in real time, by when virtual time may have jumped on."""
    faulthandler.dump_traceback_later(WATCHDOG, exit=True)
    try:
        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
            return runner.run(_limited(coro))
    finally:
        faulthandler.cancel_dump_traceback_later()


async def _limited(coro: Coroutine[Any, Any, T]) -> T:
    async with asyncio.timeout(LIMIT):
        return await coro
