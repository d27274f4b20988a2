"""HTTP connections with limits: how long a request's headers and body may take, how many
connections there may be, in all and per client, and how large a request's headers.

uvicorn times out only idle keep-alive connections: one that sends half a header line, or
a body shorter than its Content-Length, is waited on forever, and enough of them (slowloris)
take every file descriptor. This is uvicorn's h11 protocol (its header size limit, 16 KiB,
bounds the header count too) with deadlines and connection caps added.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from seefood.server.settings import HttpSettings

MAX_HEADER_BYTES = 16 * 1024


class LimitedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with deadlines and connection caps; `limited_protocol` makes
    one class per server, with its limits and its count of each client's connections."""

    limits: ClassVar[HttpSettings]
    per_client: ClassVar[Counter[str]]
    _deadline: asyncio.TimerHandle | None = None
    _address: str | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._address = self.client[0] if self.client else "unknown"
        self.per_client[self._address] += 1
        if (
            len(self.connections) > self.limits.max_connections
            or self.per_client[self._address] > self.limits.max_connections_per_client
        ):
            transport.abort()
            return
        self._arm(self.limits.header_timeout_seconds)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._address is not None:
            self.per_client[self._address] -= 1
            if self.per_client[self._address] <= 0:
                del self.per_client[self._address]
            self._address = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        waiting_for_headers = self.conn.their_state is h11.IDLE
        super().data_received(data)
        state = self.conn.their_state
        if state is h11.IDLE:
            if not waiting_for_headers or self._deadline is None:
                self._arm(self.limits.header_timeout_seconds)  # a new request began: it has so long
        elif state is h11.SEND_BODY:
            self._arm(self.limits.body_timeout_seconds)  # every piece of body resets the pause
        else:
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._disarm()  # uvicorn's keep-alive timer watches the idle connection now

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if self.transport is not None and not self.transport.is_closing():
            self.transport.abort()


def limited_protocol(limits: HttpSettings) -> type[H11Protocol]:
    """An h11 protocol class for uvicorn (`http=`) that enforces `limits`."""
    shared = {"limits": limits, "per_client": Counter()}  # this server's connections
    return type("LimitedH11Protocol", (LimitedH11Protocol,), shared)


def uvicorn_options(limits: HttpSettings) -> dict[str, Any]:
    """The uvicorn.Config keywords that apply `limits`."""
    return {
        "http": limited_protocol(limits),
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "timeout_keep_alive": 5,
    }
