"""Live video end to end: real aiortc peers on 127.0.0.1, the real server, the real model."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from seefood.config import Settings
from seefood.contrib.client import StreamClient, file_frames, keep_streaming, run_stream
from seefood.detection.hotdog import HotdogDetector
from seefood.live import aiortc_patch
from seefood.live.ice import use_host_addresses
from seefood.server.app import create_app

from .conftest import LiveServer, iou
from .videos import HOTDOGS, OTHER_FOOD, photo_video

MAX_SESSIONS = 3


@pytest.fixture(scope="module")
def server(engine: HotdogDetector) -> Iterator[LiveServer]:
    use_host_addresses(["127.0.0.1"], "127.0.0.1")  # the client side of these tests
    settings = Settings(
        ice_host_addresses=["127.0.0.1"],
        max_sessions=MAX_SESSIONS,
        session_idle_seconds=2,
        connect_timeout_seconds=3,
    )
    live = LiveServer(create_app(settings, [engine]))
    yield live
    live.stop()
    aiortc_patch.set_host_addresses(None)


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("videos")
    return {
        "hotdog": photo_video(d / "hotdog.y4m", "hotdog", HOTDOGS),
        "other": photo_video(d / "other.y4m", "not_hotdog", OTHER_FOOD),
        "still": photo_video(d / "still.y4m", "hotdog", HOTDOGS[:1], frames_each=30),
    }


def stream(server: LiveServer, video: Path, seconds: float, **kw: Any) -> list[dict[str, Any]]:
    client = StreamClient(server.url, file_frames(video, loop=True), **kw)
    return asyncio.run(run_stream(client, seconds))


def results(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if m["type"] == "result"]


def sessions(server: LiveServer) -> int:
    return int(httpx.get(f"{server.url}/healthz").json()["sessions"])


@pytest.mark.parametrize("codec", ["h264", "vp8"])
def test_hotdog_video_says_hotdog(server: LiveServer, videos: dict[str, Path], codec: str) -> None:
    t0 = time.monotonic()
    got = results(stream(server, videos["hotdog"], 4.0, codec=codec))
    # Results keep coming (how many a second is this machine's speed: 23 in 4 s on a loaded
    # 2-core machine, about 80 on the same machine idle); what is checked is what they say.
    assert len(got) >= 10, f"{len(got)} results in 4 s"
    hotdog = [m for m in got if m["verdict"] == "hotdog"]
    assert len(hotdog) / len(got) >= 0.5
    assert any(m["verdict"] == "hotdog" for m in got[:30]), "a verdict within the first second"
    first = got[0]
    assert (first["width"], first["height"], first["rotation"]) == (640, 480, 0)
    assert {"decode", "queued", "inference", "total"} <= set(first["timings_ms"])
    assert first["timings_ms"]["decode"] > 0, "the frame's conversion to RGB is timed"
    assert all("rtt_ms" in m for m in got[5:]), "the client matches results to frames sent"
    assert time.monotonic() - t0 < 15
    for d in hotdog[0]["detections"]:
        x, y, w, h = d["box_norm"]
        assert 0 <= x <= 1 and 0 <= y <= 1 and 0 < w <= 1 and 0 < h <= 1


def test_other_food_says_not_hotdog(server: LiveServer, videos: dict[str, Path]) -> None:
    got = results(stream(server, videos["other"], 3.0))
    assert got and sum(m["verdict"] == "not_hotdog" for m in got) / len(got) >= 0.9


def _hotdog_box(messages: list[dict[str, Any]]) -> list[float]:
    last = results(messages)[-1]
    best = max((d for d in last["detections"] if d["hotdog"]), key=lambda d: d["score"])
    box: list[float] = best["box_norm"]
    return box


@pytest.mark.parametrize("rotation", [90, 270])
def test_rotated_stream_is_turned_upright(
    server: LiveServer, videos: dict[str, Path], rotation: int
) -> None:
    upright = stream(server, videos["still"], 2.5)
    turned = stream(server, videos["still"], 2.5, rotation=rotation)
    last = results(turned)[-1]
    assert last["rotation"] == rotation
    assert (last["width"], last["height"]) == (640, 480), "reported in the upright frame"
    assert last["verdict"] == "hotdog"
    assert iou(_hotdog_box(upright), _hotdog_box(turned)) > 0.8


def _session_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.is_alive())


def test_a_peer_that_vanishes_leaves_nothing_behind(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    """The client process is killed mid-call: no goodbye, no DTLS close, nothing."""
    assert sessions(server) == 0
    threads_before = _session_threads()
    client = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "seefood",
            "stream",
            str(videos["hotdog"]),
            "--loop",
            "--url",
            server.url,
            "--duration",
            "60",
            "--ice-address",
            "127.0.0.1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert client.stdout is not None
        assert '"type": "result"' in client.stdout.readline(), "the call got going"
        assert sessions(server) == 1
        os.kill(client.pid, signal.SIGKILL)
        client.wait(10)
        deadline = time.monotonic() + 10  # idle timeout is 2 s here
        while sessions(server) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert sessions(server) == 0
        while _session_threads() > threads_before and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _session_threads() <= threads_before, [t.name for t in threading.enumerate()]
    finally:
        client.kill()


def test_a_client_that_says_goodbye_is_gone_at_once(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    stream(server, videos["still"], 1.0)
    assert sessions(server) == 0


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


def test_offers_beyond_the_limit_get_503(server: LiveServer, videos: dict[str, Path]) -> None:
    async def main() -> tuple[int, list[int]]:
        clients = [
            StreamClient(server.url, file_frames(videos["still"], loop=True))
            for _ in range(MAX_SESSIONS + 3)
        ]
        refused: list[int] = []
        for client in clients:  # one after another: one address may connect only 2 at once
            try:
                await client.start()
            except RuntimeError as exc:
                refused.append(int(str(exc).split("(")[1][:3]))
                continue
            while client.pc.connectionState != "connected":
                await asyncio.sleep(0.05)
        live = sessions(server)
        await asyncio.gather(*(c.stop() for c in clients))
        return live, refused

    live, refused = asyncio.run(main())
    assert live == MAX_SESSIONS
    assert refused == [503] * 3
    assert httpx.get(f"{server.url}/healthz").status_code == 200
    deadline = time.monotonic() + 5
    while sessions(server) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sessions(server) == 0


async def _dead_offer() -> str:
    """An offer from a peer that is gone at once: its ICE can never connect."""
    from aiortc import RTCPeerConnection, VideoStreamTrack

    pc = RTCPeerConnection()
    pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
    pc.createDataChannel("detections")
    await pc.setLocalDescription(await pc.createOffer())
    sdp = str(pc.localDescription.sdp)
    await pc.close()
    return sdp


def test_never_connecting_offers_cannot_lock_a_viewer_out(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    """A flood from 127.0.0.2 (offers every 0.2 s that never connect) while a real viewer
    on 127.0.0.1 calls: the flood holds at most 2 slots, briefly, and is told 429."""

    async def flood(stop: asyncio.Event) -> list[int]:
        codes: list[int] = []
        transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
        async with httpx.AsyncClient(transport=transport, timeout=30) as http:
            while not stop.is_set():
                sdp = await _dead_offer()
                r = await http.post(
                    f"{server.url}/v1/webrtc/offer", json={"sdp": sdp, "type": "offer"}
                )
                codes.append(r.status_code)
                await asyncio.sleep(0.2)
        return codes

    async def main() -> tuple[list[int], int]:
        stop = asyncio.Event()
        flooding = asyncio.create_task(flood(stop))
        await asyncio.sleep(1.5)  # the flood holds what it can
        client = StreamClient(server.url, file_frames(videos["still"], loop=True))
        await client.start()
        deadline = time.monotonic() + 20
        while not any(m["type"] == "result" for m in client.messages):
            assert time.monotonic() < deadline, "the viewer got no result"
            await asyncio.sleep(0.05)
        stop.set()
        codes = await flooding
        results = sum(m["type"] == "result" for m in client.messages)
        await client.stop()
        return codes, results

    codes, results = asyncio.run(main())
    assert results > 0
    assert 429 in codes and set(codes) <= {200, 429, 503}, codes
    deadline = time.monotonic() + 15  # the flood's sessions time out (3 s here)
    while sessions(server) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sessions(server) == 0


def test_server_shutdown_closes_every_session(
    engine: HotdogDetector, videos: dict[str, Path]
) -> None:
    app = create_app(Settings(ice_host_addresses=["127.0.0.1"]), [engine])
    live = LiveServer(app)
    client = StreamClient(live.url, file_frames(videos["still"], loop=True))

    async def main() -> None:
        await client.start()
        await asyncio.sleep(1.0)
        assert len(app.state.sessions.sessions) == 1
        await asyncio.get_running_loop().run_in_executor(None, live.stop)
        assert app.state.sessions.sessions == {}
        await client.stop(say_goodbye=False)

    asyncio.run(main())


async def _offer_from(pc: Any) -> str:
    await pc.setLocalDescription(await pc.createOffer())
    return str(pc.localDescription.sdp)


def test_extra_tracks_are_answered_inactive(server: LiveServer) -> None:
    """Only the first video is received: others would fill queues nobody reads."""
    from aiortc import RTCPeerConnection, VideoStreamTrack

    async def main() -> str:
        pc = RTCPeerConnection()
        pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
        pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
        pc.addTransceiver("audio", direction="sendonly")
        sdp = await _offer_from(pc)
        await pc.close()
        async with httpx.AsyncClient() as http:
            r = await http.post(f"{server.url}/v1/webrtc/offer", json={"sdp": sdp, "type": "offer"})
            assert r.status_code == 200, r.text
            answer = r.json()
            await http.delete(
                f"{server.url}/v1/webrtc/sessions/{answer['session_id']}",
                headers={"x-session-token": answer["token"]},
            )
        return str(r.json()["sdp"])

    answer = asyncio.run(main())
    sections = answer.split("\r\nm=")[1:]
    assert len(sections) == 3
    assert "a=recvonly" in sections[0]
    assert all("a=inactive" in s for s in sections[1:])


def test_only_one_detections_channel_is_kept(server: LiveServer, videos: dict[str, Path]) -> None:
    async def main() -> tuple[str, str, int]:
        client = StreamClient(server.url, file_frames(videos["still"], loop=True))
        extra = client.pc.createDataChannel("chat")
        await client.start()
        await asyncio.sleep(2.0)
        state = extra.readyState
        await client.stop()
        results = sum(m["type"] == "result" for m in client.messages)
        return state, client.pc.connectionState, results

    extra_state, _, results = asyncio.run(main())
    assert extra_state == "closed"
    assert results > 0


def test_only_its_client_can_end_a_session_and_metrics_name_none(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    async def main() -> None:
        client = StreamClient(server.url, file_frames(videos["still"], loop=True))
        await client.start()
        url = f"{server.url}/v1/webrtc/sessions/{client.session_id}"
        async with httpx.AsyncClient() as http:
            while not any(m["type"] == "result" for m in client.messages):
                await asyncio.sleep(0.05)
            assert (await http.delete(url)).status_code == 403
            wrong = {"x-session-token": "not-the-token"}
            assert (await http.delete(url, headers=wrong)).status_code == 403
            assert sessions(server) == 1, "a stranger cannot end it"
            metrics = (await http.get(f"{server.url}/metrics")).text
            assert client.session_id and client.session_id not in metrics
            assert 'seefood_stream_frames_in_total{slot="0"}' in metrics
        await client.stop()  # with its token
        assert sessions(server) == 0

    asyncio.run(main())


def test_the_client_is_told_why_and_rides_out_a_server_restart(
    engine: HotdogDetector, videos: dict[str, Path]
) -> None:
    """The server shuts down (the client hears why), is away 3 s, and comes back on the same
    port: `seefood stream`'s loop reconnects with back-off and results resume."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(ice_host_addresses=["127.0.0.1"])
    servers = [LiveServer(create_app(settings, [engine]), port=port)]
    got: list[dict[str, Any]] = []
    said: list[str] = []
    frames = file_frames(videos["still"], loop=True)

    def new_client() -> StreamClient:
        return StreamClient(servers[0].url, frames, on_message=got.append)

    async def main() -> None:
        streaming = asyncio.create_task(keep_streaming(new_client, 16.0, said.append))
        while not any(m["type"] == "result" for m in got):
            await asyncio.sleep(0.05)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, servers[0].stop)
        before = len(got)
        await asyncio.sleep(3.0)
        back = await loop.run_in_executor(None, LiveServer, create_app(settings, [engine]), port)
        servers.append(back)
        while sum(m["type"] == "result" for m in got[before:]) < 5:
            assert not streaming.done(), said
            await asyncio.sleep(0.05)
        streaming.cancel()
        await asyncio.gather(streaming, return_exceptions=True)

    try:
        asyncio.run(main())
    finally:
        servers[-1].stop()
    closing = [m for m in got if m["type"] == "closing"]
    assert closing and closing[0]["reason"] == "server shutdown"
    assert any("reconnecting" in line for line in said), said
    assert any("trying again" in line for line in said), said
