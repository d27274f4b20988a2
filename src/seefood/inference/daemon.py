"""Inference daemons: each owns an engine (its own onnxruntime sessions) and asks for work."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from typing import Protocol

from seefood.detection.engine import Engine
from seefood.detection.result import DetectionResult
from seefood.inference.batches import convert_each, detected, good, run_good
from seefood.inference.broker import BrokerClosed, Job
from seefood.inference.metrics import Metrics
from seefood.inference.pace import ServiceRate
from seefood.inference.requests import Frame, Inference, InferenceBroker
from seefood.types import RGBImage

log = logging.getLogger("seefood.daemon")


@dataclass(frozen=True, slots=True)
class Batching:
    """How a daemon gathers a batch: up to `size` requests, waiting `wait` seconds for more."""

    size: int = 1
    wait: float = 0.0

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ValueError("a batch is one request at least")


async def next_batch(
    broker: InferenceBroker, batching: Batching, idle: float | None = None
) -> list[Job[Frame, Inference]]:
    """A daemon's next requests: one waited for (TimeoutError after `idle` seconds without
    any), then what is already queued, after `wait` for more, up to `size` and the broker's
    fair share. Stopped while it waits for more, it gives back what it took, so that no
    request is left unanswered."""
    async with asyncio.timeout(idle):
        jobs = [await broker.ask_r()]
    if batching.size > 1:
        jobs += broker.take_queued(min(batching.size, broker.share) - 1)
        if len(jobs) < batching.size and batching.wait > 0:
            try:
                await asyncio.sleep(batching.wait)
            except asyncio.CancelledError:
                for job in jobs:
                    broker.give_back(job)
                raise
            jobs += broker.take_queued(min(batching.size, broker.share) - len(jobs))
    return [job for job in jobs if not job.abandoned]


class Daemon(Protocol):
    """What the service runs: this module's local daemon, or a remote worker's proxy."""

    @property
    def name(self) -> str: ...

    @property
    def rate(self) -> ServiceRate:
        """What it serves, for pacing the cameras."""
        ...

    @property
    def available(self) -> bool:
        """Whether it takes work now (a remote worker may be down, or still starting)."""
        ...

    async def run(self) -> None: ...


class InferenceDaemon:
    """Loop: wait for a request, gather a batch of what else is queued, run, reply.

    The model runs in the daemon's own thread (onnxruntime releases the GIL), so the event
    loop stays free to receive frames while it works.
    """

    def __init__(
        self,
        broker: InferenceBroker,
        engine: Engine,
        *,
        name: str = "daemon-0",
        batching: Batching = Batching(),
        metrics: Metrics | None = None,
    ) -> None:
        self.broker = broker
        self.engine = engine
        self.name = name
        self.batching = batching
        self.metrics = metrics or Metrics()  # its own registry when nobody reads them
        self.runs = 0
        self.inferences = 0
        self.rate = ServiceRate()  # what it serves, for pacing the cameras
        self.available = True  # a local daemon is there while the service runs
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"seefood-{name}")

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                try:
                    jobs = await next_batch(self.broker, self.batching)
                except BrokerClosed:
                    return
                if jobs:
                    await self._serve(loop, jobs)
                # Nothing of the batch kept while waiting for the next: a received frame
                # held here would keep its decoded picture (up to 1080p: 3 MB) alive.
                del jobs
        finally:
            self._executor.shutdown(wait=False, cancel_futures=True)

    async def _serve(
        self, loop: asyncio.AbstractEventLoop, jobs: list[Job[Frame, Inference]]
    ) -> None:
        taken = time.monotonic()
        try:
            results = await loop.run_in_executor(self._executor, self._work, jobs, taken)
        except Exception as exc:  # a bug, not bad input: keep serving others
            log.exception("inference failed", extra={"daemon": self.name})
            for job in jobs:
                job.fail(exc)
            return
        for job, outcome in zip(jobs, results, strict=True):
            if isinstance(outcome, BaseException):
                job.fail(outcome)
            else:
                job.reply(outcome)

    def _work(
        self, jobs: list[Job[Frame, Inference]], taken: float
    ) -> list[Inference | BaseException]:
        t0 = time.perf_counter()
        converted = convert_each([job.payload for job in jobs], lambda frame: frame.to_rgb())

        ran = run_good(converted, partial(detected, self.engine))
        elapsed = time.perf_counter() - t0
        done = time.monotonic()
        size = len(good(converted))

        def reply(item: tuple[Frame, RGBImage, float], result: DetectionResult) -> Inference:
            frame, _, decode_ms = item
            queued = max(0.0, taken - frame.arrived) * 1000
            timings = result.timings.added(decode=decode_ms, queued=queued)
            return Inference(replace(result, timings=timings), size, done)

        self.runs += 1
        self.inferences += size
        self.rate.observe(elapsed, size)
        if size:
            self.metrics.inference.observe(elapsed)
            self.metrics.batch_size.observe(size)
        return [o if isinstance(o, Exception) else reply(*o) for o in ran]


class DaemonPool:
    """The daemons serving one broker, each its own task: local ones are set at the start,
    remote workers' proxies join and leave while it runs."""

    def __init__(
        self, daemons: list[InferenceDaemon], on_change: Callable[[], None] | None = None
    ) -> None:
        self.daemons: list[Daemon] = list(daemons)
        self.on_change = on_change  # told when a daemon leaves on its own (it crashed)
        self._tasks: dict[Daemon, asyncio.Task[None]] = {}
        self._started = False

    def start(self) -> None:
        self._started = True
        for daemon in self.daemons:
            self._start(daemon)

    def add(self, daemon: Daemon) -> None:
        self.daemons.append(daemon)
        if self._started:
            self._start(daemon)

    async def remove(self, daemon: Daemon) -> None:
        """Stop one daemon (its task is cancelled) and forget it."""
        if daemon in self.daemons:
            self.daemons.remove(daemon)
        task = self._tasks.pop(daemon, None)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def stop(self) -> None:
        self._started = False
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _start(self, daemon: Daemon) -> None:
        task = asyncio.create_task(daemon.run(), name=daemon.name)
        task.add_done_callback(lambda t: self._ended(daemon, t))
        self._tasks[daemon] = task

    def _ended(self, daemon: Daemon, task: asyncio.Task[None]) -> None:
        """A daemon whose loop raised (a bug) leaves the pool, said so, not silently."""
        if task.cancelled() or task.exception() is None or self._tasks.get(daemon) is not task:
            return
        log.error("daemon stopped: %r", task.exception(), extra={"daemon": daemon.name})
        del self._tasks[daemon]
        if daemon in self.daemons:
            self.daemons.remove(daemon)
        if self.on_change is not None:
            self.on_change()
