"""Bad uploads get a 4xx with a message, and the server stays up (real HTTP, real sockets)."""

import io
import socket
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from tests.conftest import LiveServer, jpeg_bytes, noise_image


def _post(server: LiveServer, content: bytes, content_type: str | None) -> httpx.Response:
    headers = {"content-type": content_type} if content_type else {}
    return httpx.post(f"{server.url}/v1/detect", content=content, headers=headers, timeout=30)


@pytest.mark.parametrize(
    ("content", "content_type", "status", "message"),
    [
        (b"", "image/jpeg", 400, "empty"),
        (b"", None, 400, "empty"),  # as the README says, whatever the content type
        (b"hello", "text/plain", 415, "unsupported content type"),
        (b"hello", None, 415, "unsupported content type"),
        (b"this is not an image", "image/jpeg", 422, "not an image"),
        (jpeg_bytes(noise_image(300, 300))[:5000], "image/jpeg", 422, "truncated"),
    ],
)
def test_bad_input_is_a_clear_4xx(
    live_server: LiveServer, content: bytes, content_type: str | None, status: int, message: str
) -> None:
    r = _post(live_server, content, content_type)
    assert r.status_code == status, r.text
    assert message in r.json()["detail"]


def test_decompression_bomb_is_413(live_server: LiveServer) -> None:
    buf = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buf, "PNG")
    r = _post(live_server, buf.getvalue(), "image/png")
    assert r.status_code == 413 and "pixels" in r.json()["detail"]


def test_body_over_the_limit_is_413_with_or_without_length(live_server: LiveServer) -> None:
    big = b"\xff" * 3_000_000  # the live server's limit is 2 MB
    r = _post(live_server, big, "image/jpeg")
    assert r.status_code == 413 and "limit" in r.json()["detail"]

    def chunks() -> Iterator[bytes]:
        for _ in range(30):
            yield b"\xff" * 100_000

    r = httpx.post(
        f"{live_server.url}/v1/detect", content=chunks(), headers={"content-type": "image/jpeg"}
    )
    assert r.status_code == 413


def test_multipart_without_a_file_or_malformed(live_server: LiveServer) -> None:
    r = httpx.post(
        f"{live_server.url}/v1/detect",
        data={"note": "no file here"},
        files={},
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    assert r.status_code == 400
    r = httpx.post(f"{live_server.url}/v1/detect", data={"note": "x"}, files={"f": ("a", b"")})
    assert r.status_code == 400 and "empty" in r.json()["detail"]


def test_client_that_vanishes_mid_upload_leaves_the_server_healthy(live_server: LiveServer) -> None:
    for _ in range(5):
        with socket.create_connection(("127.0.0.1", live_server.port)) as sock:
            sock.sendall(
                b"POST /v1/detect HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
                b"Content-Length: 1000000\r\n\r\n" + b"\xff\xd8" * 1000
            )
    assert httpx.get(f"{live_server.url}/healthz").status_code == 200
    ok = _post(live_server, jpeg_bytes(noise_image()), "image/jpeg")
    assert ok.status_code == 200
