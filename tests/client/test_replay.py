"""Files replayed as they are (`seefood stream --passthrough`): making, probing, pacing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from seefood import load_image
from seefood.client.replay import PacketTrack, ReplayError, make_replay, probe
from seefood.client.stream import StreamClient, run_stream
from seefood.config import Settings
from seefood.detection.hotdog import HotdogEngine
from seefood.live import aiortc_patch
from seefood.live.ice import use_host_addresses
from seefood.server.app import create_app
from seefood.types import RGBImage
from tests.conftest import DEV_SET, LiveServer
from tests.videos import HOTDOGS, letterboxed


def _frames(n: int = 30) -> list[RGBImage]:
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)
    return [np.roll(base, 4 * i, axis=1) for i in range(n)]


@pytest.mark.parametrize("suffix", [".h264", ".ivf"])
def test_replays_are_made_of_key_frames(tmp_path: Path, suffix: str) -> None:
    path = make_replay(_frames(), tmp_path / f"clip{suffix}")
    assert probe(path) == ("h264" if suffix == ".h264" else "vp8", True)
    assert PacketTrack(path).droppable


def test_a_file_with_other_frames_is_sent_whole(tmp_path: Path) -> None:
    path = tmp_path / "gop.h264"
    with av.open(str(path), "w", format="h264") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for image in _frames():
            out.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        out.mux(stream.encode(None))
    assert probe(path) == ("h264", False)
    assert not PacketTrack(path).droppable, "leaving out a predicted frame would corrupt it"


def test_what_cannot_be_replayed_says_why(tmp_path: Path) -> None:
    with pytest.raises(ReplayError, match=r"\.h264 \(Annex B\) or \.ivf"):
        probe(tmp_path / "clip.mp4")
    junk = tmp_path / "junk.h264"
    junk.write_bytes(b"not a video")
    with pytest.raises(ReplayError, match=r"junk\.h264"):
        probe(junk)


@pytest.fixture(scope="module")
def server(engine: HotdogEngine) -> Iterator[LiveServer]:
    use_host_addresses(["127.0.0.1"], "127.0.0.1")  # the client side
    live = LiveServer(create_app(Settings(ice_host_addresses=["127.0.0.1"]), [engine]))
    yield live
    live.stop()
    aiortc_patch.set_host_addresses(None)


def results(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if m["type"] == "result"]


@pytest.fixture(scope="module")
def hotdog_replays(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("replays")
    frames = [letterboxed(load_image(DEV_SET / "hotdog" / n)) for n in HOTDOGS for _ in range(15)]
    return {
        codec: make_replay(frames, d / f"hotdogs.{ext}")
        for codec, ext in (("h264", "h264"), ("vp8", "ivf"))
    }


@pytest.mark.parametrize("codec", ["h264", "vp8"])
def test_a_replayed_file_is_decoded_and_judged(
    server: LiveServer,
    hotdog_replays: dict[str, Path],
    codec: str,
) -> None:
    client = StreamClient(server.url, PacketTrack(hotdog_replays[codec], loop=True))
    assert client.codec == codec
    got = results(asyncio.run(run_stream(client, 4.0)))
    assert len(got) >= 10, len(got)  # their number is this machine's speed
    assert sum(m["verdict"] == "hotdog" for m in got) / len(got) >= 0.5


def test_a_paced_replay_leaves_frames_out_and_every_frame_sent_still_decodes(
    server: LiveServer,
    hotdog_replays: dict[str, Path],
) -> None:
    service = server.app.state.service
    settings = service.settings
    service.settings = settings.model_copy(update={"max_stream_fps": 5.0})
    try:
        client = StreamClient(server.url, PacketTrack(hotdog_replays["h264"], loop=True))
        messages = asyncio.run(run_stream(client, 5.0))
    finally:
        service.settings = settings
    assert client.track.max_fps == 5.0
    assert client.track.sent < 0.5 * 5.0 * 30, client.track.sent  # 30 fps unpaced
    got = results(messages)
    assert len(got) >= 5 and all(m["verdict"] == "hotdog" for m in got[-5:])
    assert not [m for m in messages if m["type"] == "closing"], "nothing undecodable"
