"""Webhooks: Standard Webhooks signatures, and every sighting delivered to a real receiving
HTTP server once, even when it refuses the first two tries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from seefood.config import Settings
from seefood.detection.hotdog import HotdogEngine
from seefood.server.app import create_app
from seefood.sightings.webhooks import signature, signing_key
from seefood.types import RGBImage
from tests.conftest import LiveServer, jpeg_bytes

SECRET = "whsec_" + base64.b64encode(b"a receiver's shared secret").decode()


def test_signatures_are_standard_webhooks() -> None:
    # The test vector in Standard Webhooks' specification.
    key = signing_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    body = b'{"test": 2432232314}'
    expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert signature(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == expected
    assert signing_key("plain text") == b"plain text"


def verified(key: bytes, headers: Any, body: bytes) -> bool:
    """What a receiver does, written from the specification (not with seefood's code)."""
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    mac = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(f"v1,{mac}", s) for s in headers["webhook-signature"].split(" "))


class Receiver(http.server.ThreadingHTTPServer):
    """Answers 500 to the first two tries of each message, 204 after."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.tries: dict[str, int] = {}
        self.delivered: list[tuple[str, dict[str, Any]]] = []
        self.bad_signatures = 0
        self.lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        receiver = self.server
        with receiver.lock:
            if not verified(signing_key(SECRET), self.headers, body):
                receiver.bad_signatures += 1
            message = self.headers["webhook-id"]
            tries = receiver.tries[message] = receiver.tries.get(message, 0) + 1
            ok = tries > 2
            if ok:
                receiver.delivered.append((message, json.loads(body)))
        self.send_response(204 if ok else 500)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def test_every_sighting_reaches_the_receiver_once_signed_after_two_failures(
    engine: HotdogEngine, receiver: Receiver, hotdog_image: RGBImage, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    settings = Settings(
        data_dir=tmp_path,
        webhook_urls=[url],
        webhook_secret=SECRET,
        webhook_retry_seconds=0.05,
    )
    server = LiveServer(create_app(settings, [engine]))
    try:
        kept = []
        for _ in range(3):
            answer = httpx.post(
                f"{server.url}/v1/detect?sighting=true",
                content=jpeg_bytes(hotdog_image),
                headers={"content-type": "image/jpeg"},
                timeout=60,
            ).json()
            kept.append(answer["sighting"])
        deadline = time.monotonic() + 60
        while len(receiver.delivered) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # a duplicate would come now
        metrics = httpx.get(f"{server.url}/metrics").text
    finally:
        server.stop()
    assert sorted(m for m, _ in receiver.delivered) == sorted(s["id"] for s in kept)
    assert all(tries == 3 for tries in receiver.tries.values()), receiver.tries
    assert receiver.bad_signatures == 0
    assert {m: body for m, body in receiver.delivered} == {s["id"]: s for s in kept}
    assert 'seefood_webhook_deliveries_total{outcome="delivered"} 3.0' in metrics
    assert 'seefood_sightings_total{source="still"} 3.0' in metrics


def test_a_receiver_that_never_answers_is_counted_as_failed(
    engine: HotdogEngine, hotdog_image: RGBImage, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        webhook_urls=["http://127.0.0.1:9/nobody"],  # discard: refused at once
        webhook_secret="text",
        webhook_retry_seconds=0.01,
        webhook_attempts=2,
    )
    server = LiveServer(create_app(settings, [engine]))
    try:
        httpx.post(
            f"{server.url}/v1/detect?sighting=true",
            content=jpeg_bytes(hotdog_image),
            headers={"content-type": "image/jpeg"},
            timeout=60,
        )
        failed = 'seefood_webhook_deliveries_total{outcome="failed"} 1.0'
        deadline = time.monotonic() + 30
        while failed not in httpx.get(f"{server.url}/metrics").text:
            assert time.monotonic() < deadline, "the failure was not counted"
            time.sleep(0.05)
    finally:
        server.stop()
