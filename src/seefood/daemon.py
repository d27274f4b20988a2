"""Inference daemons: each owns an onnxruntime session and asks the broker for work."""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from seefood.broker import Broker, BrokerClosed, Job
from seefood.detector import Detector
from seefood.frames import Frame
from seefood.images import RGBImage
from seefood.metrics import Metrics
from seefood.result import DetectionResult

log = logging.getLogger("seefood.daemon")


@dataclass(frozen=True, slots=True)
class Inference:
    """A daemon's reply to one request."""

    result: DetectionResult
    batch_size: int
    inference_ms: float  # the whole batch's run: conversion, pre/post-processing, model
    done: float  # time.monotonic() when the result was ready


InferenceBroker = Broker[Frame, Inference]


class InferenceDaemon:
    """Loop: wait for a request, gather a batch of what else is queued, run, reply.

    The model runs in the daemon's own thread (onnxruntime releases the GIL), so the event
    loop stays free to receive frames while it works.
    """

    def __init__(
        self,
        broker: InferenceBroker,
        detector: Detector,
        *,
        name: str = "daemon-0",
        max_batch: int = 1,
        max_wait: float = 0.0,
        metrics: Metrics | None = None,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.broker = broker
        self.detector = detector
        self.name = name
        self.max_batch = max_batch
        self.max_wait = max_wait
        self.metrics = metrics
        self.runs = 0
        self.inferences = 0
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"seefood-{name}")

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                try:
                    jobs = await self._next_batch()
                except BrokerClosed:
                    return
                if not jobs:
                    continue
                try:
                    results = await loop.run_in_executor(self._executor, self._work, jobs)
                except Exception as exc:  # a bug, not bad input: keep serving others
                    log.exception("inference failed", extra={"daemon": self.name})
                    for job in jobs:
                        job.fail(exc)
                    continue
                for job, outcome in zip(jobs, results, strict=True):
                    if isinstance(outcome, BaseException):
                        job.fail(outcome)
                    else:
                        job.reply(outcome)
        finally:
            self._executor.shutdown(wait=False, cancel_futures=True)

    async def _next_batch(self) -> list[Job[Frame, Inference]]:
        jobs = [await self.broker.ask_r()]
        if self.max_batch > 1:
            jobs += self.broker.take_queued(self.max_batch - 1)
            if len(jobs) < self.max_batch and self.max_wait > 0:
                await asyncio.sleep(self.max_wait)
                jobs += self.broker.take_queued(self.max_batch - len(jobs))
        return [job for job in jobs if not job.abandoned]

    def _work(self, jobs: list[Job[Frame, Inference]]) -> list[Inference | BaseException]:
        t0 = time.perf_counter()
        images: list[RGBImage] = []
        outcomes: list[Exception | None] = []
        for job in jobs:
            try:
                images.append(job.payload.to_rgb())
                outcomes.append(None)
            except Exception as exc:  # a corrupt frame fails its own request only
                outcomes.append(exc)
        results = iter(self.detector.detect_batch(images))
        elapsed_ms = (time.perf_counter() - t0) * 1000
        done = time.monotonic()
        replies: list[Inference | BaseException] = []
        for outcome in outcomes:
            if outcome is None:
                replies.append(Inference(next(results), len(images), elapsed_ms, done))
            else:
                replies.append(outcome)
        self.runs += 1
        self.inferences += len(images)
        if self.metrics is not None and images:
            self.metrics.inference.observe(elapsed_ms / 1000)
            self.metrics.batch_size.observe(len(images))
        return replies


class DaemonPool:
    """A fixed set of daemons, each with its own session, started and stopped together."""

    def __init__(self, daemons: list[InferenceDaemon]) -> None:
        self.daemons = daemons
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(d.run(), name=d.name) for d in self.daemons]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
