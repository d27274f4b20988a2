"""The inference service: one broker, a pool of daemons, and the streams that use them.

`seefood serve` holds one. Live video sessions open a stream each (sink + requestor);
`/v1/detect` asks once per request, so still images and live video share the same daemons
and the same fair, delay-bounded queue.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Generic

from seefood.detection.engine import Engine
from seefood.inference.broker import Broker, Drop, Served
from seefood.inference.daemon import Daemon, DaemonPool, InferenceDaemon
from seefood.inference.metrics import Metrics
from seefood.inference.pace import fair_fps
from seefood.inference.requestor import Delivered, DropCallback, F, Requestor
from seefood.inference.requests import ArrayFrame, InferenceBroker
from seefood.inference.settings import InferenceSettings
from seefood.inference.sink import LatestFrameSink
from seefood.types import RGBImage, Size

log = logging.getLogger("seefood.service")

SENDING_WINDOW = 2.0  # seconds since its last frame for a stream to count as sending
WORKER_RETRIES = 3  # times a one-shot request is asked again when a worker gives it back


class Overloaded(Exception):
    """The broker dropped a one-shot request: the server is busier than it can serve."""

    def __init__(self, drop: Drop) -> None:
        super().__init__(f"server overloaded: dropped after {drop.sojourn * 1000:.0f} ms queued")
        self.drop = drop


class InferenceStream(Generic[F]):
    """One live stream: feed frames with `put`; results and drops arrive by callback."""

    def __init__(
        self,
        service: InferenceService,
        stream_id: str,
        slot: int,
        on_result: Callable[[Delivered[F]], None],
        on_drop: DropCallback[F] | None,
    ) -> None:
        self.id = stream_id
        self.slot = slot  # the lowest number no other open stream has: its metrics label
        self._service = service
        self.sink: LatestFrameSink[F] = LatestFrameSink()
        self._on_result = on_result
        self.requestor: Requestor[F] = Requestor(
            stream_id,
            self.sink,
            service.broker,
            on_result=self._delivered,
            on_drop=on_drop,
            backoff=service.settings.drop_backoff_seconds,
            metrics=service.metrics,
        )
        self._puts: deque[float] = deque()  # when its recent frames were put, oldest first
        self._task = asyncio.create_task(self.requestor.run(), name=f"requestor-{stream_id}")
        service.metrics.streams.inc()
        log.info("stream start", extra={"stream": stream_id})

    def _delivered(self, delivered: Delivered[F]) -> None:
        self._service.metrics.inferences_out.labels(str(self.slot)).inc()
        self._on_result(delivered)

    @property
    def fair_fps(self) -> float | None:
        """The frame rate this stream's camera should send (None: its own)."""
        return self._service.fair_fps()

    @property
    def sending(self) -> bool:
        """Whether a frame came lately: only such streams take a share of the daemons."""
        return bool(self._puts) and time.monotonic() - self._puts[-1] < SENDING_WINDOW

    @property
    def demand(self) -> float:
        """Frames put a second lately: the inferences it asks for."""
        now = time.monotonic()
        while self._puts and now - self._puts[0] > SENDING_WINDOW:
            self._puts.popleft()
        return len(self._puts) / SENDING_WINDOW

    def put(self, frame: F) -> None:
        self._puts.append(time.monotonic())
        if len(self._puts) > 1024:  # a camera far faster than any pace: enough to know
            self._puts.popleft()
        self._service.metrics.frames_in.labels(str(self.slot)).inc()
        self._service.metrics.frames_total.inc()
        if self.sink.put(frame):
            self._service.metrics.drops.labels("replaced").inc()

    async def close(self) -> None:
        if self.sink.closed:
            return
        self.sink.close()
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._service._forget(self)
        log.info(
            "stream stop",
            extra={
                "stream": self.id,
                "frames_in": self.sink.frames_in,
                "replaced": self.sink.replaced,
                "inferences": self.requestor.delivered,
                "dropped": self.requestor.dropped,
            },
        )


class InferenceService:
    """Daemons (one per engine) behind one broker; streams and one-shot requests in front."""

    def __init__(
        self,
        engines: Sequence[Engine],
        settings: InferenceSettings | None = None,
        metrics: Metrics | None = None,
        *,
        input_size: Size | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # No engines: every inference is done by remote workers (add_daemon), and
        # `input_size` says what their models look at.
        if not engines and input_size is None:
            raise ValueError("the inference service needs an engine, or the input size")
        self.settings = settings or InferenceSettings()
        self.metrics = metrics or Metrics()
        self.broker: InferenceBroker = Broker(
            target=self.settings.codel_target_seconds,
            interval=self.settings.codel_interval_seconds,
            serving=len(engines),
            clock=clock,  # the broker's: tests pass a virtual one
        )
        self.metrics.watch_queue(lambda: self.broker.queue_length)
        self.input_size: Size = input_size or engines[0].input_size
        self.pool = DaemonPool(
            [
                InferenceDaemon(
                    self.broker,
                    engine,
                    name=f"daemon-{i}",
                    batching=self.settings.batching(),
                    metrics=self.metrics,
                )
                for i, engine in enumerate(engines)
            ],
            on_change=self.daemons_changed,
        )
        self._streams: dict[str, InferenceStream[Any]] = {}  # of any frame type
        self._ids = itertools.count(1)

    async def start(self) -> None:
        self.pool.start()

    async def stop(self) -> None:
        for stream in list(self._streams.values()):
            await stream.close()
        self.broker.close()
        await self.pool.stop()

    def add_daemon(self, daemon: Daemon) -> None:
        """A daemon joins while the service runs (a remote worker's proxy)."""
        self.pool.add(daemon)
        self.daemons_changed()

    def daemons_changed(self) -> None:
        """A daemon joined, left, went down or came back: the broker counts who serves."""
        self.broker.serving = sum(d.available for d in self.pool.daemons)

    @property
    def local_daemons(self) -> list[InferenceDaemon]:
        return [d for d in self.pool.daemons if isinstance(d, InferenceDaemon)]

    async def remove_daemon(self, daemon: Daemon) -> None:
        await self.pool.remove(daemon)
        self.daemons_changed()

    @property
    def capacity(self) -> float | None:
        """Inferences per second the daemons serve one at a time, as measured; None before
        any ran."""
        rates = [
            r for d in self.pool.daemons if d.available and (r := d.rate.per_second) is not None
        ]
        return sum(rates) if rates else None

    def fair_fps(self) -> float | None:
        """Each live camera's share of the one-at-a-time capacity (see pace.py)."""
        # Sessions still connecting, without a channel, or gone quiet take no share: nobody
        # can slow the cameras down by opening sessions that send nothing.
        sending = [s for s in self._streams.values() if s.sending]
        capacity = self.capacity if self.settings.pace else None
        demands = [s.demand for s in sending]
        return fair_fps(capacity, max(len(sending), 1), self.settings.max_stream_fps, demands)

    @property
    def stream_ids(self) -> list[str]:
        return list(self._streams)

    def open_stream(
        self,
        on_result: Callable[[Delivered[F]], None],
        on_drop: DropCallback[F] | None = None,
        stream_id: str | None = None,
    ) -> InferenceStream[F]:
        sid = stream_id or f"stream-{next(self._ids)}"
        taken = {s.slot for s in self._streams.values()}
        slot = next(i for i in itertools.count() if i not in taken)
        stream = InferenceStream(self, sid, slot, on_result, on_drop)
        self._streams[sid] = stream
        return stream

    async def detect(self, image: RGBImage, stream_id: str = "http") -> Delivered[ArrayFrame]:
        """One inference through the broker; raises Overloaded if CoDel dropped it."""
        frame = ArrayFrame(image)
        for _ in range(WORKER_RETRIES):
            outcome = await self.broker.ask(stream_id, frame)
            self.metrics.observe_outcome(outcome)
            if not (isinstance(outcome, Drop) and outcome.reason == "worker"):
                break  # a worker that died gave it back: ask another
        if isinstance(outcome, Served):
            return Delivered(frame, outcome.reply, outcome.sojourn)
        log.warning(
            "request dropped",
            extra={"stream": stream_id, "sojourn_ms": round(outcome.sojourn * 1000, 1)},
        )
        raise Overloaded(outcome)

    def _forget(self, stream: InferenceStream[F]) -> None:
        self.metrics.streams.dec()
        self.metrics.forget_stream(stream.slot)
        self._streams.pop(stream.id, None)
