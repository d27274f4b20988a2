"""A session's data channel to its viewer: JSON messages, never queued without bound."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from aiortc import RTCDataChannel

from seefood.live.protocol import CHANNEL_LABEL

log = logging.getLogger("seefood.session")

MAX_BUFFERED = 256 * 1024  # bytes queued on the data channel before results are skipped


class Messages:
    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        self.channel: RTCDataChannel | None = None
        self.last_sent = 0.0  # when anything last went out on the channel

    def adopt(self, channel: RTCDataChannel) -> None:
        """One `detections` channel per session; anything else is closed at once (each open
        channel costs memory, and a client could open thousands)."""
        if channel.label == CHANNEL_LABEL and self.channel is None:
            self.channel = channel
        else:
            channel.close()

    @property
    def open(self) -> bool:
        return self.channel is not None and self.channel.readyState == "open"

    def send(self, message: dict[str, Any]) -> bool:
        """Whether it went out: not when the channel is closed, or the peer is not reading
        (newer results will follow anyway)."""
        channel = self.channel
        if channel is None or not self.open:
            return False
        if channel.bufferedAmount > MAX_BUFFERED:
            return False
        try:
            channel.send(json.dumps(message, separators=(",", ":")))
        except Exception:  # the transport went away under us: the state change will close
            log.debug("send failed", exc_info=True, extra={"session": self.session_id})
            return False
        self.last_sent = time.monotonic()
        return True

    async def opened(self, connected: Callable[[], bool], limit: float) -> None:
        """Wait up to `limit` for the channel of a connection still coming up."""
        deadline = time.monotonic() + limit
        while self.channel is None or self.channel.readyState == "connecting":
            if not connected() or time.monotonic() >= deadline:
                return
            await asyncio.sleep(0.05)

    async def drain(self, limit: float) -> None:
        """Give what was sent a moment to leave before the connection closes."""
        deadline = time.monotonic() + limit
        while self.channel is not None and self.channel.bufferedAmount:
            if time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # from the SCTP queue onto the wire
