"""The WebRTC signalling API: what a bad offer is told, and sessions nobody has."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import LiveServer


@pytest.fixture(scope="module")
def server(live_server: LiveServer) -> LiveServer:
    return live_server


def sessions(server: LiveServer) -> int:
    return int(httpx.get(f"{server.url}/healthz").json()["sessions"])


@pytest.mark.parametrize(
    ("sdp", "kind", "message"),
    [
        ("hello", "offer", "malformed SDP"),
        ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n", "offer", "no video"),
        (
            "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n",
            "answer",
            "expected an SDP offer",
        ),
        (
            "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n",
            "offer",
            "its own a=mid",
        ),
        ("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=recvonly\r\n", "offer", "not sent"),
        ("v=0\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\n", "offer", "not sent"),
        ("v=0\r\n" + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n" * 5, "offer", "5 media sections"),
        (
            "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
            "m=video 9 UDP/TLS/RTP/SAVPF 98\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendonly\r\n"
            "a=rtpmap:98 AV1/90000\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
            "a=fingerprint:sha-256 "
            + ":".join(["AB"] * 32)
            + "\r\na=setup:actpass\r\na=rtcp-mux\r\n",
            "offer",
            "codec",
        ),
    ],
)
def test_bad_offers_get_400(server: LiveServer, sdp: str, kind: str, message: str) -> None:
    r = httpx.post(f"{server.url}/v1/webrtc/offer", json={"sdp": sdp, "type": kind})
    assert r.status_code == 400, r.text
    assert message in r.json()["detail"]
    assert sessions(server) == 0


def test_non_json_and_unknown_session(server: LiveServer) -> None:
    r = httpx.post(
        f"{server.url}/v1/webrtc/offer",
        content=b"\x00\xff",
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422
    bearer = {"x-session-token": "x"}
    assert httpx.delete(f"{server.url}/v1/webrtc/sessions/nope", headers=bearer).status_code == 404
