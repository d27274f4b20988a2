"""The requestor: one per stream, asking the broker for an inference whenever a frame waits."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from seefood.inference.broker import Broker, BrokerClosed, Drop, Served
from seefood.inference.metrics import Metrics
from seefood.inference.requests import Frame, Inference
from seefood.inference.sink import LatestFrameSink, SinkClosed

log = logging.getLogger("seefood.requestor")

DEFAULT_BACKOFF = 0.025  # seconds before a dropped requestor asks again

F = TypeVar("F", bound=Frame)


@dataclass(frozen=True, slots=True)
class Delivered(Generic[F]):
    """One served request: the frame that was sent, and the daemon's answer."""

    frame: F
    inference: Inference
    sojourn: float  # seconds in the broker's queue


DropCallback = Callable[[F, Drop], None]


class Requestor(Generic[F]):
    """At most one request of this stream is queued or in flight at any time.

    When a reply comes it is delivered, and if a newer frame is pending the requestor asks
    again. A dropped request is reported, and the requestor asks again with the newest frame
    (the dropped one, if nothing newer came): after a short back-off if CoDel dropped it for
    overload, at once if a worker gave it back undone.
    """

    def __init__(
        self,
        stream: str,
        sink: LatestFrameSink[F],
        broker: Broker[Frame, Inference],
        *,
        on_result: Callable[[Delivered[F]], None],
        on_drop: DropCallback[F] | None = None,
        backoff: float = DEFAULT_BACKOFF,
        metrics: Metrics | None = None,
    ) -> None:
        self.stream = stream
        self.sink = sink
        self.broker = broker
        self.on_result = on_result
        self.on_drop = on_drop
        self.backoff = backoff
        self.metrics = metrics or Metrics()  # its own registry when nobody reads them
        self.delivered = 0
        self.dropped = 0

    async def run(self) -> None:
        while True:
            try:
                frame = await self.sink.get()
                outcome = await self.broker.ask(self.stream, frame)
            except (SinkClosed, BrokerClosed):
                return
            except Exception:  # the daemon failed this frame (e.g. corrupt): go on
                log.warning("frame failed", exc_info=True, extra={"stream": self.stream})
                continue
            self.metrics.observe_outcome(outcome)
            if isinstance(outcome, Served):
                self.delivered += 1
                self.on_result(Delivered(frame, outcome.reply, outcome.sojourn))
            else:
                self.dropped += 1
                log.debug(
                    "request dropped",
                    extra={
                        "stream": self.stream,
                        "reason": outcome.reason,
                        "sojourn_ms": round(outcome.sojourn * 1000, 1),
                    },
                )
                if self.on_drop is not None:
                    self.on_drop(frame, outcome)
                self.sink.put_back(frame)
                if outcome.reason == "codel":  # overload: give the others a moment
                    await asyncio.sleep(self.backoff)
