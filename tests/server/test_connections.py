"""Slow and greedy HTTP clients: deadlines for headers and bodies, caps on connections,
a bound on header size. Real sockets against a real server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from seefood.config import Settings
from seefood.server.app import create_app
from tests.conftest import LiveServer
from tests.engines import FixedTimeEngine

PER_CLIENT = 50


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    settings = Settings(
        header_timeout_seconds=1.0,
        body_timeout_seconds=1.0,
        max_connections_per_client=PER_CLIENT,
    )
    live = LiveServer(create_app(settings, [FixedTimeEngine(0.001)]))
    yield live
    live.stop()


def _connect(server: LiveServer, source: str) -> socket.socket:
    sock = socket.create_connection(
        ("127.0.0.1", server.port), timeout=5, source_address=(source, 0)
    )
    return sock


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server closed the socket (EOF or reset) within `within` seconds."""
    sock.settimeout(within)
    try:
        while sock.recv(4096):
            pass  # e.g. an error response before the close
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def test_slowloris_connections_are_capped_and_closed_on_time(server: LiveServer) -> None:
    """300 connections from 127.0.0.2 that send half a request, then a byte now and then."""
    socks = [_connect(server, "127.0.0.2") for _ in range(300)]
    try:
        for sock in socks:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        # Beyond the per-client cap, connections are closed at once.
        refused = sum(_closed_by_server(s, 0.2) for s in socks[PER_CLIENT + 10 :])
        assert refused == len(socks) - PER_CLIENT - 10
        # Meanwhile others are served.
        assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200
        started = time.monotonic()
        for sock in socks[:PER_CLIENT]:
            with contextlib.suppress(OSError):
                sock.sendall(b"a")  # a trickle does not extend the deadline
        held = socks[:PER_CLIENT]
        assert all(_closed_by_server(s, 5.0) for s in held), "closed after the header deadline"
        assert time.monotonic() - started < 5.0
    finally:
        for sock in socks:
            sock.close()


def test_a_connection_that_sends_nothing_is_closed(server: LiveServer) -> None:
    sock = _connect(server, "127.0.0.3")
    try:
        assert _closed_by_server(sock, 5.0)
    finally:
        sock.close()


def test_a_body_shorter_than_its_length_is_not_waited_on_forever(server: LiveServer) -> None:
    sock = _connect(server, "127.0.0.4")
    try:
        sock.sendall(
            b"POST /v1/detect HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/jpeg\r\n"
            b"Content-Length: 100000\r\n\r\n" + b"x" * 1000
        )
        assert _closed_by_server(sock, 5.0)
    finally:
        sock.close()


def _answer_to(server: LiveServer, head: bytes) -> bytes:
    """What the server answers to a request head (b"" if it closed before answering)."""
    sock = _connect(server, "127.0.0.5")
    answer = b""
    try:
        with contextlib.suppress(OSError):  # it may close while we are still sending
            sock.sendall(head)
        with contextlib.suppress(OSError):
            sock.settimeout(5)
            answer = sock.recv(4096)
    finally:
        sock.close()
    return answer


@pytest.mark.parametrize(
    "extra",
    [
        b"X-Big: " + b"a" * 10_000_000 + b"\r\n",
        b"".join(b"X-H%d: 1\r\n" % i for i in range(20_000)),
    ],
    ids=["10 MB header", "20000 headers"],
)
def test_huge_headers_are_refused(server: LiveServer, extra: bytes) -> None:
    answer = _answer_to(server, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + b"\r\n")
    assert not answer.startswith(b"HTTP/1.1 200"), answer[:100]
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400")
    assert httpx.get(f"{server.url}/healthz").status_code == 200
