"""Reading the size a stream declares from its bitstream: H.264 SPS and VP8 key frames."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from seefood.client.replay import make_replay
from seefood.live.video_size import (
    BitReader,
    declared_size,
    h264_declared_size,
    nal_units,
    rbsp,
    sps_size,
    vp8_declared_size,
)
from tests.h264 import declaring, resized_sps


def _clip(tmp_path: Path, suffix: str, width: int = 320, height: int = 240, **kw: str) -> bytes:
    frames = [np.full((height, width, 3), 90 + i, np.uint8) for i in range(3)]
    if suffix == ".h264" and kw:  # another profile than make_replay's baseline
        path = tmp_path / "clip.h264"
        with av.open(str(path), "w", format="h264") as out:
            stream = out.add_stream("libx264", rate=30, options=kw)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            for image in frames:
                out.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
            out.mux(stream.encode(None))
        return path.read_bytes()
    return make_replay(frames, tmp_path / f"clip{suffix}").read_bytes()


@pytest.mark.parametrize(
    ("width", "height", "profile"),
    [(320, 240, None), (640, 360, None), (1280, 720, "high"), (1920, 1080, "main")],
)
def test_an_encoders_sps_declares_its_coded_size(
    tmp_path: Path, width: int, height: int, profile: str | None
) -> None:
    options = {"profile": profile} if profile else {}
    data = _clip(tmp_path, ".h264", width, height, **options)
    coded = (width + 15) // 16 * 16, (height + 15) // 16 * 16  # whole macroblocks
    assert h264_declared_size(data) == coded


def test_a_rewritten_sps_declares_the_new_size_and_keeps_the_rest(tmp_path: Path) -> None:
    data = _clip(tmp_path, ".h264")
    sps = next(u for u in nal_units(data) if u[0] & 0x1F == 7)
    assert sps_size(resized_sps(sps, 8192, 8192)) == (8192, 8192)
    assert resized_sps(sps, 320, 240) == sps, "the same size rewrites it byte for byte"
    big = declaring(data, 16384, 8192)
    assert h264_declared_size(big) == (16384, 8192)
    # What a decoder makes of it: the very size the SPS says.
    context = av.CodecContext.create("h264", "r")
    frames = [
        f for packet in context.parse(declaring(data, 640, 480)) for f in context.decode(packet)
    ]
    assert (frames[0].width, frames[0].height) == (640, 480)


def test_frames_without_an_sps_declare_nothing_and_garbage_declares_too_much() -> None:
    assert h264_declared_size(b"\x00\x00\x00\x01\x65\x88\x84") is None  # a slice alone
    assert h264_declared_size(b"\x00\x00\x01\x67") == (65536, 65536)  # an SPS cut short
    assert h264_declared_size(b"\x00\x00\x01\x67\x42\x00\x1e\x00\x00\x00\x00\x00") == (
        65536,
        65536,
    ), "an Exp-Golomb code of over 32 bits"


def test_emulation_prevention_and_exp_golomb() -> None:
    assert rbsp(b"\x00\x00\x03\x01\x00\x00\x03\x00") == b"\x00\x00\x01\x00\x00\x00"
    reader = BitReader(bytes([0b10100110, 0b11000000]))  # 1 010 011 011
    assert [reader.ue(), reader.ue(), reader.ue(), reader.se()] == [0, 1, 2, -1]


def test_vp8_key_frames_declare_their_size(tmp_path: Path) -> None:
    path = tmp_path / "clip.ivf"
    make_replay([np.zeros((360, 640, 3), np.uint8)] * 2, path)
    with av.open(str(path)) as container:
        [first, *_] = [bytes(p) for p in container.demux(video=0) if p.size]
    assert vp8_declared_size(first) == (640, 360)
    assert declared_size("VP8", first) == (640, 360)
    inter = bytes([first[0] | 1]) + first[1:]
    assert vp8_declared_size(inter) is None, "only key frames carry a size"
    lying = first[:6] + (16000).to_bytes(2, "little") + (16000).to_bytes(2, "little") + first[10:]
    assert vp8_declared_size(lying) == (16000, 16000)
    assert vp8_declared_size(first[:3] + b"\x00\x00\x00" + first[6:]) == (65536, 65536)
