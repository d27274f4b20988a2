"""The broker: matches requestors (`ask`) with idle inference daemons (`ask_r`).

Modelled on Erlang's sbroker. Requestors wait in a CoDel queue on their sojourn time; when
it stays above target for an interval, the head requestor is dropped and told so, with how
long it waited. Daemons wait without limit. Each stream keeps at most one request queued or
in flight (the requestor's contract), so FIFO order over requests is round-robin over
streams: a busy stream can never starve a quiet one.

A matched request is a `Job`: the daemon takes its payload, and answers with `reply` or
`fail`; the requestor's `ask` returns the reply. Daemons see only `ask_r` and `Job`, so
daemons in another process can later join through a proxy that speaks the same contract.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from seefood.inference.codel import CoDelQueue, Dropped

P = TypeVar("P")  # what a requestor sends (a frame)
R = TypeVar("R")  # what a daemon answers (detections)

# sbroker's advice: interval near the 95-99th percentile of how often a client re-asks (a
# dropped requestor is back after ~25 ms, a served one at once), target 5-10% of it... but not
# below what one busy daemon makes any request wait. Measured with bench/bench_broker.py.
DEFAULT_TARGET = 0.010
DEFAULT_INTERVAL = 0.050


@dataclass(frozen=True, slots=True)
class Served(Generic[R]):
    reply: R
    sojourn: float  # seconds queued before a daemon took the request


@dataclass(frozen=True, slots=True)
class Drop:
    sojourn: float  # seconds queued before being dropped
    reason: str = "codel"


class Job(Generic[P, R]):
    """One stream's request, from `ask` to a daemon's reply."""

    __slots__ = ("_future", "enqueued", "payload", "sojourn", "stream")

    def __init__(
        self, stream: str, payload: P, enqueued: float, future: asyncio.Future[Served[R] | Drop]
    ) -> None:
        self.stream = stream
        self.payload = payload
        self.enqueued = enqueued
        self.sojourn = 0.0
        self._future = future

    def reply(self, value: R) -> None:
        if not self._future.done():
            self._future.set_result(Served(value, self.sojourn))

    def fail(self, exc: BaseException) -> None:
        if not self._future.done():
            self._future.set_exception(exc)

    def drop(self, reason: str) -> None:
        """Give the request back undone, as a drop its requestor is told of (e.g. the remote
        worker it went to died): the requestor asks again with its newest frame."""
        if not self._future.done():
            self._future.set_result(Drop(self.sojourn, reason))

    @property
    def abandoned(self) -> bool:
        """The requestor stopped waiting (its stream closed): skip the work."""
        return self._future.cancelled()


class BrokerClosed(RuntimeError):
    pass


class Broker(Generic[P, R]):
    def __init__(
        self,
        *,
        target: float = DEFAULT_TARGET,
        interval: float = DEFAULT_INTERVAL,
        serving: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # target=inf turns CoDel off: a plain FIFO, the baseline in tests and benchmarks.
        self._queue: CoDelQueue[Job[P, R]] = CoDelQueue(target, interval, serving)
        self._daemons: deque[asyncio.Future[Job[P, R]]] = deque()
        self._clock = clock
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False
        self._live = 0  # requests queued or in flight

    @property
    def serving(self) -> int:
        """How many daemons serve. CoDel never drops the last request of each, so that none
        idles (0 when none serves: CoDel may then drop every request), and it divides the
        requests into fair batches (`share`). Set as daemons join, leave, go down and come
        back (remote workers)."""
        return self._queue.min_length

    @serving.setter
    def serving(self, value: int) -> None:
        self._queue.min_length = max(0, value)

    @property
    def share(self) -> int:
        """The most requests one daemon should hold: the live ones over the daemons serving,
        rounded down, one at least. A bigger batch is a slower cadence for its streams, and a
        cohort locked to it (two of six streams were served 2.2x the others, batches 4 and 2)."""
        return max(1, self._live // max(1, self.serving))

    @property
    def queue_length(self) -> int:
        return len(self._queue)

    @property
    def waiting_daemons(self) -> int:
        return sum(1 for d in self._daemons if not d.done())

    # -- requestor side ------------------------------------------------------------------

    async def ask(self, stream: str, payload: P) -> Served[R] | Drop:
        """Queue a request and wait for a daemon's reply, or for a drop."""
        if self._closed:
            raise BrokerClosed("broker is closed")
        loop = asyncio.get_running_loop()
        job: Job[P, R] = Job(stream, payload, self._clock(), loop.create_future())
        if not self._give_to_daemon(job):
            self._queue.push(job, job.enqueued)
            self._schedule()
        self._live += 1
        try:
            return await job._future
        except asyncio.CancelledError:
            self._queue.remove(job)
            raise
        finally:
            self._live -= 1

    # -- daemon side ---------------------------------------------------------------------

    async def ask_r(self) -> Job[P, R]:
        """Wait, without limit, for the next request."""
        job = self._take_queued()
        if job is not None:
            return job
        if self._closed:
            raise BrokerClosed("broker is closed")
        waiter: asyncio.Future[Job[P, R]] = asyncio.get_running_loop().create_future()
        self._daemons.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            # Stopped in the moment between being handed a job and taking it: the job goes
            # to another daemon, or back to the head of the queue, not into the void.
            if waiter.done() and not waiter.cancelled():
                self.give_back(waiter.result())
            raise
        finally:
            if not waiter.done():
                waiter.cancel()

    def give_back(self, job: Job[P, R]) -> None:
        """A job a daemon took but will not serve (it is stopping): to the next daemon."""
        if self._closed:
            job.fail(BrokerClosed("broker is closed"))
            return
        if job._future.done():  # its requestor left meanwhile
            return
        if not self._give_to_daemon(job):
            self._queue.push_front(job, job.enqueued)
            self._schedule()

    def take_queued(self, limit: int) -> list[Job[P, R]]:
        """Up to `limit` more requests that are already waiting, for a daemon's batch."""
        jobs: list[Job[P, R]] = []
        while len(jobs) < limit:
            job = self._take_queued()
            if job is None:
                break
            jobs.append(job)
        return jobs

    def close(self) -> None:
        """Fail everything waiting: requestors get BrokerClosed, daemons too."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
        for job in self._queue.clear():
            job.fail(BrokerClosed("broker is closed"))
        while self._daemons:
            waiter = self._daemons.popleft()
            if not waiter.done():
                waiter.set_exception(BrokerClosed("broker is closed"))

    # -- internals -----------------------------------------------------------------------

    def _give_to_daemon(self, job: Job[P, R]) -> bool:
        while self._daemons:
            waiter = self._daemons.popleft()
            if not waiter.done():
                job.sojourn = 0.0
                waiter.set_result(job)
                return True
        return False

    def _take_queued(self) -> Job[P, R] | None:
        now = self._clock()
        while True:
            taken, dropped = self._queue.pop(now)
            self._notify(dropped)
            if taken is None:
                return None
            job, sojourn = taken
            if job._future.done():  # its requestor left while it waited
                continue
            job.sojourn = sojourn
            return job

    def _notify(self, dropped: list[Dropped[Job[P, R]]]) -> None:
        for d in dropped:
            if not d.item._future.done():
                d.item._future.set_result(Drop(d.sojourn))

    def _schedule(self) -> None:
        """Arrange for CoDel to run when the head could next be dropped, daemons busy or not."""
        if self._timer is not None or self._closed:
            return
        deadline = self._queue.next_deadline(self._clock())
        if deadline is None or math.isinf(deadline):
            return
        # At least a microsecond: a deadline a rounding error ahead of now must not re-arm
        # the timer for "now" again and again.
        delay = max(deadline - self._clock(), 1e-6)
        self._timer = asyncio.get_running_loop().call_later(delay, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._notify(self._queue.expire(self._clock()))
        self._schedule()
