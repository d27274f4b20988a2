"""Synthetic camera streams driving the real broker and daemons: for load tests and `bench/`.

Each stream produces frames at its own rate (a camera never bursts to catch up: late ticks
are skipped) into its sink; its requestor asks the broker. `fifo=True` runs the naive
baseline instead: no sink, no CoDel, every frame queued for inference in arrival order.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from seefood.detection.engine import Engine
from seefood.detection.memory import CropMemory
from seefood.inference.broker import Broker, Served
from seefood.inference.requestor import Delivered
from seefood.inference.requests import ArrayFrame, Frame, Inference
from seefood.inference.service import InferenceService, InferenceStream
from seefood.inference.settings import InferenceSettings
from seefood.types import RGBImage


@dataclass
class StreamStats:
    fps: float
    frames_in: int = 0
    inferences: int = 0
    drops: int = 0
    replaced: int = 0


@dataclass
class LoadReport:
    duration: float
    streams: list[StreamStats]
    sojourns: list[float] = field(default_factory=list)  # per served request, seconds
    sojourn_times: list[float] = field(default_factory=list)  # when each was served
    latencies: list[float] = field(default_factory=list)  # frame arrival -> result, seconds
    batch_sizes: list[int] = field(default_factory=list)
    service_ms: list[float] = field(default_factory=list)  # a daemon took it -> result
    model_ms: list[float] = field(default_factory=list)  # of that, the models' own stages

    @property
    def inferences(self) -> int:
        return sum(s.inferences for s in self.streams)

    @property
    def rate(self) -> float:
        return self.inferences / self.duration

    @property
    def drop_rate(self) -> float:
        """Drops (CoDel) per request made."""
        drops = sum(s.drops for s in self.streams)
        return drops / max(drops + self.inferences, 1)

    def rates(self) -> list[float]:
        return [s.inferences / self.duration for s in self.streams]

    def jain(self) -> float:
        return jain_index(self.rates())

    def sojourn_percentile(self, q: float) -> float:
        return percentile(self.sojourns, q)


def jain_index(xs: Sequence[float]) -> float:
    """Jain's fairness index: 1 when all equal, 1/n when one gets everything."""
    if not xs or not any(xs):
        return 0.0
    return sum(xs) ** 2 / (len(xs) * sum(x * x for x in xs))


def percentile(xs: Sequence[float], q: float) -> float:
    if not xs:
        return math.nan
    if len(xs) == 1:
        return xs[0]
    return statistics.quantiles(xs, n=100, method="inclusive")[max(0, min(98, round(q) - 1))]


async def _camera(
    fps: float,
    duration: float,
    frames: Sequence[RGBImage],
    emit: Callable[[ArrayFrame], object],
    hold: float = 0.0,
) -> None:
    """Emit frames at `fps`; with `hold`, each picture stays in view that many seconds, as a
    live camera's scene does (and the stream keeps a classifier memory, as a live one)."""
    period = 1.0 / fps
    start = time.monotonic()
    memory = CropMemory() if hold else None
    tick = 0
    while True:
        now = time.monotonic()
        if now - start >= duration:
            return
        index = int((now - start) / hold) if hold else tick
        emit(ArrayFrame(frames[index % len(frames)], arrived=now, memory=memory))
        tick = math.floor((now - start) / period) + 1  # skip ticks we were late for
        await asyncio.sleep(max(0.0, start + tick * period - time.monotonic()))


# A plain first-come queue: CoDel never drops, and every frame is queued as it comes.
FIFO = InferenceSettings(max_batch=1, codel_target_seconds=math.inf)


async def run_load(
    engines: Sequence[Engine],
    frames: Sequence[RGBImage],
    fps: Sequence[float],
    duration: float,
    *,
    settings: InferenceSettings | None = None,
    hold: float = 0.0,
    add_daemons: Callable[[InferenceService], Awaitable[None]] | None = None,
) -> LoadReport:
    """Run `len(fps)` synthetic streams through the inference service for `duration`;
    `hold`: seconds each picture stays in view (0: a new one every frame); `add_daemons`
    joins more daemons (remote workers) to the service before the streams start. One
    request a batch unless `settings` say otherwise; with `FIFO`'s, each frame is queued as it
    comes, in a plain first-come queue (the baseline the broker is measured against)."""
    settings = settings or InferenceSettings(max_batch=1)
    fifo = math.isinf(settings.codel_target_seconds)  # no CoDel, no newest-frame sink
    service = InferenceService(engines, settings, input_size=None if engines else (416, 416))
    report = LoadReport(duration, [StreamStats(f) for f in fps])
    t0 = time.monotonic()

    def record(stats: StreamStats, frame: Frame, inference: Inference, sojourn: float) -> None:
        stats.inferences += 1
        report.sojourns.append(sojourn)
        report.sojourn_times.append(time.monotonic() - t0)
        report.latencies.append(inference.done - frame.arrived)
        report.batch_sizes.append(inference.batch_size)
        t = inference.result.timings
        report.service_ms.append((inference.done - frame.arrived) * 1000 - t.queued)
        report.model_ms.append(t.preprocess + t.inference + t.postprocess)

    await service.start()
    if add_daemons is not None:
        await add_daemons(service)
    tasks: list[asyncio.Task[None]] = []
    pending: set[asyncio.Task[object]] = set()
    streams: list[InferenceStream[ArrayFrame]] = []
    try:
        for i, stats in enumerate(report.streams):
            if fifo:
                emit = _fifo_emit(service.broker, f"s{i}", stats, record, pending)
                tasks.append(asyncio.create_task(_camera(stats.fps, duration, frames, emit, hold)))
                continue

            def deliver(d: Delivered[ArrayFrame], stats: StreamStats = stats) -> None:
                record(stats, d.frame, d.inference, d.sojourn)

            def dropped(_f: ArrayFrame, _d: object, stats: StreamStats = stats) -> None:
                stats.drops += 1

            stream = service.open_stream(deliver, dropped, stream_id=f"s{i}")
            streams.append(stream)
            tasks.append(
                asyncio.create_task(_camera(stats.fps, duration, frames, stream.put, hold))
            )
        await asyncio.sleep(duration)
    finally:
        for stream, stats in zip(streams, report.streams, strict=False):
            stats.frames_in, stats.replaced = stream.sink.frames_in, stream.sink.replaced
        for task in [*tasks, *pending]:
            task.cancel()
        await asyncio.gather(*tasks, *pending, return_exceptions=True)
        await service.stop()
    return report


Record = Callable[[StreamStats, Frame, Inference, float], None]


def _fifo_emit(
    broker: Broker[Frame, Inference],
    stream: str,
    stats: StreamStats,
    record: Record,
    pending: set[asyncio.Task[object]],
) -> Callable[[ArrayFrame], None]:
    """The naive baseline: every frame becomes a request at once, whatever is queued."""

    def emit(frame: ArrayFrame) -> None:
        stats.frames_in += 1

        async def ask() -> object:
            outcome = await broker.ask(stream, frame)
            if isinstance(outcome, Served):
                record(stats, frame, outcome.reply, outcome.sojourn)
            return outcome

        task = asyncio.create_task(ask())
        pending.add(task)
        task.add_done_callback(pending.discard)

    return emit
