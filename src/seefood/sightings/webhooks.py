"""Webhooks: each new sighting POSTed as JSON to every configured URL, signed.

The headers are Standard Webhooks' (standardwebhooks.com, what Svix and others send):
`webhook-id` (the sighting's id: the same on every try, so a receiver can tell a retry),
`webhook-timestamp` (Unix seconds) and `webhook-signature`: `v1,` and the base64
HMAC-SHA256 of `{id}.{timestamp}.{body}`. A delivery is tried up to `attempts` times,
waiting `retry` seconds after the first failure and twice as long after each next one; a
2xx is delivered, anything else (or no answer in TIMEOUT) a failed try. Each URL has its
own bounded queue and task: a slow receiver delays only its own deliveries, and never
inference (a full queue drops the delivery and counts it).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

log = logging.getLogger("seefood.webhooks")

TIMEOUT = 10.0  # seconds for one try
MAX_RETRY_WAIT = 300.0


def signing_key(secret: str) -> bytes:
    """Standard Webhooks' `whsec_<base64>`, or any other text as its UTF-8 bytes."""
    if secret.startswith("whsec_"):
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        if not key:
            raise ValueError("an empty key")
        return key
    return secret.encode()


def signature(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(key: bytes, message_id: str, body: bytes, now: float) -> dict[str, str]:
    timestamp = int(now)
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(key, message_id, timestamp, body),
    }


@dataclass(frozen=True, slots=True)
class Delivery:
    message_id: str
    body: bytes  # JSON


Outcome = Callable[[str, str], None]  # (url, "delivered" | "failed" | "dropped")


class Webhook:
    """One URL's queue and the task that delivers from it."""

    def __init__(
        self,
        url: str,
        key: bytes,
        *,
        attempts: int,
        retry: float,
        queue: int,
        on_outcome: Outcome,
    ) -> None:
        self.url = url
        self._key = key
        self._attempts = attempts
        self._retry = retry
        self._queue: asyncio.Queue[Delivery] = asyncio.Queue(queue)
        self._on_outcome = on_outcome
        self._task: asyncio.Task[None] | None = None

    def start(self, client: httpx.AsyncClient) -> None:
        self._task = asyncio.create_task(self._run(client))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def send(self, delivery: Delivery) -> None:
        try:
            self._queue.put_nowait(delivery)
        except asyncio.QueueFull:
            log.warning("webhook queue full: sighting not delivered", extra={"url": self.url})
            self._on_outcome(self.url, "dropped")

    async def _run(self, client: httpx.AsyncClient) -> None:
        while True:
            delivery = await self._queue.get()
            delivered = await self._deliver(client, delivery)
            self._on_outcome(self.url, "delivered" if delivered else "failed")

    async def _deliver(self, client: httpx.AsyncClient, delivery: Delivery) -> bool:
        wait = self._retry
        for attempt in range(1, self._attempts + 1):
            headers = signed_headers(self._key, delivery.message_id, delivery.body, time.time())
            try:
                response = await client.post(self.url, content=delivery.body, headers=headers)
                if response.is_success:
                    return True
                why = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                why = type(exc).__name__
            log.info(
                "webhook try failed",
                extra={"url": self.url, "attempt": attempt, "why": why},
            )
            if attempt < self._attempts:
                await asyncio.sleep(wait)
                wait = min(wait * 2, MAX_RETRY_WAIT)
        log.warning("webhook delivery failed", extra={"url": self.url, "id": delivery.message_id})
        return False


class Webhooks:
    """Every configured URL's `Webhook`, with one HTTP client between them."""

    def __init__(self, hooks: list[Webhook]) -> None:
        self.hooks = hooks
        self._client: httpx.AsyncClient | None = None

    def start(self) -> None:
        if not self.hooks:
            return
        self._client = httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False)
        for hook in self.hooks:
            hook.start(self._client)

    async def stop(self) -> None:
        for hook in self.hooks:
            await hook.stop()
        if self._client is not None:
            await self._client.aclose()

    def send(self, delivery: Delivery) -> None:
        for hook in self.hooks:
            hook.send(delivery)
