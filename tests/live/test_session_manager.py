"""Offer handling against fuzzed offers: every one is answered (200) or refused (400).

The offers are mutations of a real aiortc offer, made from a fixed seed so that a failure
can be reproduced; no offer may reach a 500, and no background task may fail unseen.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Iterator

import httpx
import pytest
from aiortc import RTCPeerConnection, VideoStreamTrack

from seefood.config import Settings
from seefood.server.app import create_app
from tests.conftest import LiveServer
from tests.engines import FixedTimeEngine

GARBAGE = ["", "x", "-1", "99999999999", "\u00e9\u00e9", "a b c", "0.0.0.0", ":::", "%00", "\ufffd"]


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    settings = Settings(ice_host_addresses=["127.0.0.1"], max_sessions=64)
    live = LiveServer(create_app(settings, [FixedTimeEngine(0.01)]))
    yield live
    live.stop()


async def _real_offer() -> str:
    pc = RTCPeerConnection()
    pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
    pc.createDataChannel("detections")
    await pc.setLocalDescription(await pc.createOffer())
    sdp = str(pc.localDescription.sdp)
    await pc.close()
    return sdp


def _mutate(lines: list[str], rng: random.Random) -> list[str]:
    out = list(lines)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(1, len(out))
        op = rng.randrange(6)
        if op == 0:
            del out[i]
        elif op == 1:
            out.insert(i, out[rng.randrange(len(out))])
        elif op == 2 and ":" in out[i]:
            key = out[i].split(":", 1)[0]
            out[i] = f"{key}:{rng.choice(GARBAGE)}"
        elif op == 3:
            words = out[i].split(" ")
            words[rng.randrange(len(words))] = rng.choice(GARBAGE)
            out[i] = " ".join(words)
        elif op == 4:
            start = next((j for j, line in enumerate(out) if line.startswith("m=")), 1)
            out += out[start:]  # every media section twice
        else:
            out[i] = out[i][: rng.randrange(len(out[i]) + 1)]
    return out


def test_fuzzed_offers_get_200_or_400_and_no_task_fails_unseen(
    server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    base = asyncio.run(_real_offer()).split("\r\n")
    rng = random.Random(20261125)
    offers = ["\r\n".join(_mutate(base, rng)) for _ in range(120)]
    caplog.set_level(logging.ERROR)
    codes: list[int] = []
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for sdp in offers:
            r = http.post("/v1/webrtc/offer", json={"sdp": sdp, "type": "offer"})
            codes.append(r.status_code)
            assert r.status_code in (200, 400), (r.status_code, r.text, sdp)
            if r.status_code == 200:
                answer = r.json()
                http.delete(
                    f"/v1/webrtc/sessions/{answer['session_id']}",
                    headers={"x-session-token": answer["token"]},
                )
            else:
                assert r.json()["detail"], "a 400 says why"
    assert codes.count(400) >= 30 and codes.count(200) >= 10, "the mutations reach both paths"
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], errors


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        ("two data channels", "several data-channel sections"),
        ("nul", "control characters"),
        ("direction", "has no direction"),
        ("no fingerprint", "no DTLS fingerprint"),
        ("garbage fingerprint", "malformed sha-256 fingerprint"),
        ("md5", "'md5' is not accepted"),
        ("no candidates", "no ICE candidates"),
    ],
)
def test_offers_that_used_to_crash_aiortc_or_slip_through(
    server: LiveServer, mutation: str, message: str
) -> None:
    base = asyncio.run(_real_offer())
    lines = base.split("\r\n")
    app = next(i for i, line in enumerate(lines) if line.startswith("m=application"))
    fingerprint = next(line for line in lines if line.startswith("a=fingerprint"))
    without_candidates = [line for line in lines if not line.startswith("a=candidate")]
    sdp = {
        "two data channels": "\r\n".join([*lines, *lines[app:-1], ""]).replace(
            "a=mid:1", "a=mid:2", 1
        ),
        "nul": base.replace("a=mid:0", "a=mid:0\x00"),
        "direction": base.replace("a=sendonly", "a=sendsideways"),
        "no fingerprint": "\r\n".join(x for x in lines if not x.startswith("a=fingerprint")),
        "garbage fingerprint": base.replace(fingerprint, "a=fingerprint:sha-256 zz:zz"),
        "md5": base.replace(fingerprint, "a=fingerprint:md5 " + ":".join(["AB"] * 16)),
        "no candidates": "\r\n".join(without_candidates),
    }[mutation]
    r = httpx.post(f"{server.url}/v1/webrtc/offer", json={"sdp": sdp, "type": "offer"}, timeout=30)
    assert r.status_code == 400, r.text
    assert message in r.json()["detail"]
