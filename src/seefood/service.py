"""The inference service: one broker, a pool of daemons, and the streams that use them.

`seefood serve` holds one. Live video sessions open a stream each (sink + requestor);
`/v1/detect` asks once per request, so still images and live video share the same daemons
and the same fair, delay-bounded queue.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass

from seefood.broker import DEFAULT_INTERVAL, DEFAULT_TARGET, Broker, Drop, Served
from seefood.daemon import DaemonPool, Inference, InferenceBroker, InferenceDaemon
from seefood.detector import Detector
from seefood.frames import ArrayFrame, Frame
from seefood.images import RGBImage
from seefood.metrics import Metrics
from seefood.requestor import DEFAULT_BACKOFF, Delivered, DropCallback, Requestor
from seefood.sink import LatestFrameSink

log = logging.getLogger("seefood.service")


@dataclass(frozen=True)
class ServiceConfig:
    max_batch: int = 1
    max_batch_wait: float = 0.0
    target: float = DEFAULT_TARGET
    interval: float = DEFAULT_INTERVAL
    backoff: float = DEFAULT_BACKOFF


class Overloaded(Exception):
    """The broker dropped a one-shot request: the server is busier than it can serve."""

    def __init__(self, drop: Drop) -> None:
        super().__init__(f"server overloaded: dropped after {drop.sojourn * 1000:.0f} ms queued")
        self.drop = drop


class InferenceStream:
    """One live stream: feed frames with `put`; results and drops arrive by callback."""

    def __init__(
        self,
        service: InferenceService,
        stream_id: str,
        on_result: Callable[[Delivered], None],
        on_drop: DropCallback | None,
    ) -> None:
        self.id = stream_id
        self._service = service
        self.sink: LatestFrameSink[Frame] = LatestFrameSink()
        self.requestor = Requestor(
            stream_id, self.sink, service.broker, on_result=on_result, on_drop=on_drop,
            backoff=service.config.backoff, metrics=service.metrics,
        )  # fmt: skip
        self._task = asyncio.create_task(self.requestor.run(), name=f"requestor-{stream_id}")
        service.metrics.streams.inc()
        log.info("stream start", extra={"stream": stream_id})

    def put(self, frame: Frame) -> None:
        self._service.metrics.frames_in.labels(self.id).inc()
        self._service.metrics.frames_total.inc()
        if self.sink.put(frame):
            self._service.metrics.drops.labels("replaced").inc()

    async def close(self) -> None:
        if self.sink.closed:
            return
        self.sink.close()
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._service.metrics.streams.dec()
        self._service.metrics.forget_stream(self.id)
        self._service._streams.pop(self.id, None)
        log.info(
            "stream stop",
            extra={
                "stream": self.id, "frames_in": self.sink.frames_in,
                "replaced": self.sink.replaced, "inferences": self.requestor.delivered,
                "dropped": self.requestor.dropped,
            },
        )  # fmt: skip


class InferenceService:
    def __init__(
        self,
        detectors: list[Detector],
        config: ServiceConfig | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.config = config or ServiceConfig()
        self.metrics = metrics or Metrics()
        self.detectors = detectors
        self.broker: InferenceBroker = Broker(
            target=self.config.target, interval=self.config.interval,
            min_queue=len(detectors),
        )  # fmt: skip
        self.metrics.watch_queue(lambda: self.broker.queue_length)
        self.pool = DaemonPool(
            [
                InferenceDaemon(
                    self.broker,
                    det,
                    name=f"daemon-{i}",
                    max_batch=self.config.max_batch,
                    max_wait=self.config.max_batch_wait,
                    metrics=self.metrics,
                )
                for i, det in enumerate(detectors)
            ]
        )
        self._streams: dict[str, InferenceStream] = {}
        self._ids = itertools.count(1)

    async def start(self) -> None:
        self.pool.start()

    async def stop(self) -> None:
        for stream in list(self._streams.values()):
            await stream.close()
        self.broker.close()
        await self.pool.stop()

    @property
    def streams(self) -> dict[str, InferenceStream]:
        return dict(self._streams)

    def open_stream(
        self,
        on_result: Callable[[Delivered], None],
        on_drop: DropCallback | None = None,
        stream_id: str | None = None,
    ) -> InferenceStream:
        sid = stream_id or f"stream-{next(self._ids)}"
        stream = InferenceStream(self, sid, on_result, on_drop)
        self._streams[sid] = stream
        return stream

    async def detect(self, image: RGBImage, stream_id: str = "http") -> tuple[Inference, float]:
        """One inference through the broker; raises Overloaded if CoDel dropped it."""
        outcome = await self.broker.ask(stream_id, ArrayFrame(image))
        self.metrics.observe_outcome(outcome)
        if isinstance(outcome, Served):
            return outcome.reply, outcome.sojourn
        log.warning("request dropped", extra={"stream": stream_id,
                    "sojourn_ms": round(outcome.sojourn * 1000, 1)})  # fmt: skip
        raise Overloaded(outcome)
