"""A remote worker's proxy: a daemon on the seefood server that serves the broker through
a worker on another machine.

It keeps the local daemon's contract: `ask_r` for a request, `take_queued` for a batch, a
reply or a failure for each. What is new is that the worker can die or hang: a call that
fails or misses its deadline gives its requests back as drops (reason "worker"), which
their requestors are told of and re-ask at once with their newest frames, and the proxy
stops asking the broker for work until the worker answers a ping again. A proxy that is
not waiting in `ask_r` cannot be handed a job, so the broker never gives work to a worker
known to be down; every other daemon goes on serving.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from enum import StrEnum
from typing import Protocol

from seefood.detection.result import DetectionResult
from seefood.errors import first_line
from seefood.inference.broker import BrokerClosed, Job
from seefood.inference.daemon import Batching, next_batch
from seefood.inference.metrics import Metrics
from seefood.inference.pace import ServiceRate
from seefood.inference.remote.wire import WorkerInfo
from seefood.inference.requests import Frame, Inference, InferenceBroker

log = logging.getLogger("seefood.remote")

DEFAULT_DEADLINE = 2.0  # seconds a call may take before the worker counts as lost
START_DEADLINE = 60.0  # a new worker loads its models first (and Ray may start it)
RETRY_FIRST = 0.25  # seconds between pings to a down worker, doubling...
RETRY_MAX = 4.0  # ...up to this
SMOOTHING = 0.2  # weight of the newest round trip in the running mean
IDLE_CHECK = 5.0  # seconds without work after which an idle proxy pings its worker


class WorkerLost(RuntimeError):
    """The worker died, is unreachable, or was restarted while it held the call."""


class Remote(Protocol):
    """One worker, as the proxy sees it: `ray_worker.RayWorker`, or a stand-in in tests."""

    async def ping(self) -> WorkerInfo:
        """Answers once the worker is ready; raises WorkerLost if it is not there."""
        ...

    async def infer(self, frames: Sequence[Frame]) -> list[DetectionResult | Exception]:
        """A result per frame, or the error that failed that frame alone (a corrupt one);
        raises WorkerLost if the worker was lost."""
        ...


class WorkerState(StrEnum):
    STARTING = "starting"  # not yet answered a ping
    SERVING = "serving"  # asking the broker for work
    DOWN = "down"  # a call failed: pinging until it answers


class RemoteDaemon:
    def __init__(
        self,
        broker: InferenceBroker,
        remote: Remote,
        *,
        name: str,
        batching: Batching = Batching(),
        deadline: float = DEFAULT_DEADLINE,
        metrics: Metrics | None = None,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.broker = broker
        self.remote = remote
        self.name = name
        self.batching = batching
        self.deadline = deadline
        self.metrics = metrics or Metrics()  # its own registry when nobody reads them
        self.on_change = on_change  # told when it starts or stops serving (the service)
        self._state = WorkerState.STARTING
        self.info: WorkerInfo | None = None
        self.rate = ServiceRate()  # what the worker serves, for pacing the cameras
        self.inferences = 0
        self.failures = 0  # calls lost (a worker's death or a missed deadline)
        self.in_flight = 0
        self.round_trip: float | None = None  # running mean of a call's seconds
        self._losses = 0  # calls lost since the last one served: the hold-down grows

    @property
    def state(self) -> WorkerState:
        return self._state

    @state.setter
    def state(self, state: WorkerState) -> None:
        changed = (state is WorkerState.SERVING) != (self._state is WorkerState.SERVING)
        self._state = state
        if changed and self.on_change is not None:
            self.on_change()

    @property
    def available(self) -> bool:
        """Serving: only then does it count in the capacity the cameras are paced to."""
        return self._state is WorkerState.SERVING

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if self.state is not WorkerState.SERVING:
                await self._until_it_answers()
            try:
                jobs = await next_batch(self.broker, self.batching, IDLE_CHECK)
            except BrokerClosed:
                return
            except TimeoutError:  # idle a while: is the worker still there?
                await self._check_idle()
                continue
            if jobs:
                await self._serve(jobs, loop)

    async def _until_it_answers(self) -> None:
        delay = RETRY_FIRST
        if self.state is WorkerState.DOWN:
            # A hold-down before the first ping, longer after each loss in a row: a worker
            # that fails every call at once must not take the work from the healthy ones.
            await asyncio.sleep(min(RETRY_FIRST * 2 ** max(self._losses - 1, 0), RETRY_MAX))
        told = False
        while True:
            deadline = START_DEADLINE if self.info is None else self.deadline
            try:
                async with asyncio.timeout(deadline):
                    info = await self.remote.ping()
            except (WorkerLost, TimeoutError) as exc:
                if not told and (self.info is not None or isinstance(exc, WorkerLost)):
                    told = True  # once per down period, with why
                    log.warning(
                        "worker not answering: %s",
                        str(exc) or "no answer within the deadline",
                        extra={"worker": self.name},
                    )
                await asyncio.sleep(delay)
                delay = min(2 * delay, RETRY_MAX)
                continue
            log.info(
                "worker up" if self.state is WorkerState.STARTING else "worker back",
                extra={"worker": self.name, "host": info["host"], "providers": info["providers"]},
            )
            self.info = info
            self.state = WorkerState.SERVING
            return

    async def _check_idle(self) -> None:
        try:
            async with asyncio.timeout(self.deadline):
                await self.remote.ping()
        except (WorkerLost, TimeoutError) as exc:
            log.warning("idle worker lost: %s", exc or "no answer", extra={"worker": self.name})
            self.failures += 1
            self._losses += 1
            self.state = WorkerState.DOWN

    async def _serve(
        self, jobs: list[Job[Frame, Inference]], loop: asyncio.AbstractEventLoop
    ) -> None:
        taken = time.monotonic()
        started = loop.time()
        self._set_in_flight(len(jobs))
        try:
            async with asyncio.timeout(self.deadline):
                results = await self.remote.infer([job.payload for job in jobs])
        except (WorkerLost, TimeoutError) as exc:
            self._lost(jobs, exc)
            return
        except asyncio.CancelledError:
            # Stopped (its node left, the server stops) while the worker held these: give
            # them back, so that their streams ask again elsewhere at once.
            for job in jobs:
                job.drop("worker")
            raise
        except Exception as exc:  # the worker's code raised, it did not die: fail these
            log.error(
                "remote inference failed: %s",
                first_line(exc),
                extra={"worker": self.name},
            )
            for job in jobs:
                job.fail(exc)
            return
        finally:
            self._set_in_flight(0)
        self._losses = 0
        elapsed = loop.time() - started
        done = time.monotonic()
        served = 0
        for job, outcome in zip(jobs, results, strict=True):
            if isinstance(outcome, Exception):
                job.fail(outcome)
                continue
            queued = max(0.0, taken - job.payload.arrived) * 1000
            result = replace(outcome, timings=outcome.timings.added(queued=queued))
            job.reply(Inference(result, len(jobs), done))
            served += 1
        self.inferences += served
        self.rate.observe(elapsed, len(jobs))
        self.round_trip = (
            elapsed
            if self.round_trip is None
            else self.round_trip + SMOOTHING * (elapsed - self.round_trip)
        )
        self.metrics.worker_inferences.labels(self.name).inc(served)
        self.metrics.worker_round_trip.labels(self.name).observe(elapsed)
        self.metrics.batch_size.observe(len(jobs))

    def _lost(self, jobs: list[Job[Frame, Inference]], exc: BaseException) -> None:
        self.failures += 1
        self._losses += 1
        self.state = WorkerState.DOWN
        what = "missed its deadline" if isinstance(exc, TimeoutError) else f"was lost ({exc})"
        log.warning(
            "worker %s: %d request(s) given back",
            what,
            len(jobs),
            extra={"worker": self.name},
        )
        self.metrics.worker_failures.labels(self.name).inc()
        for job in jobs:
            job.drop("worker")

    def _set_in_flight(self, n: int) -> None:
        self.in_flight = n
        self.metrics.worker_in_flight.labels(self.name).set(n)
