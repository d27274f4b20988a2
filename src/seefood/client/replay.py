"""Replaying a video file's packets as they are, without decoding or encoding them again.

`seefood stream FILE --passthrough` sends an H.264 (Annex B, `.h264`) or VP8 (`.ivf`) file's
packets as they are, so that a client costs next to nothing and many of them can load a
server from one machine. To honour the server's pace it leaves packets out, which is clean
only when every frame is a key frame: `make_replay` writes such files (so does
`ffmpeg -i IN -c:v libx264 -profile:v baseline -x264-params keyint=1 -an OUT.h264`). A file
with other frames is sent whole, whatever the pace.
"""

from __future__ import annotations

import fractions
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import av
from av.packet import Packet as AvPacket
from av.video.stream import VideoStream

from seefood.client.paced import CLOCK, SOURCE_FPS, PacedTrack, frame_rate
from seefood.types import RGBImage

FORMATS = {".h264": ("h264", "libx264"), ".264": ("h264", "libx264"), ".ivf": ("ivf", "libvpx")}
CODECS = {"h264": "h264", "libx264": "h264", "vp8": "vp8", "libvpx": "vp8"}
if TYPE_CHECKING:
    Packet = AvPacket[VideoStream]
else:
    Packet = AvPacket  # generic in the stubs only


class ReplayError(ValueError):
    """The file cannot be replayed as it is; the message says why."""


def make_replay(frames: Iterable[RGBImage], path: Path, *, fps: int = 30) -> Path:
    """Encode `frames` as key frames only, H.264 baseline (`.h264`) or VP8 (`.ivf`)."""
    container_format, encoder = _format(path)
    with av.open(str(path), "w", format=container_format) as out:
        stream = out.add_stream(encoder, rate=fps)
        assert isinstance(stream, VideoStream)
        stream.pix_fmt = "yuv420p"
        stream.gop_size = 1  # every frame a key frame: any of them can be left out
        if encoder == "libx264":
            stream.options = {"profile": "baseline", "tune": "zerolatency", "preset": "fast"}
        else:
            stream.bit_rate = 2_000_000
        first = True
        for image in frames:
            if first:
                stream.width, stream.height = image.shape[1], image.shape[0]
                first = False
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def probe(path: Path) -> tuple[str, bool]:
    """The file's codec ("h264" or "vp8") and whether every frame is a key frame."""
    _format(path)
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ReplayError(f"{path} has no video stream")
            codec = CODECS.get(container.streams.video[0].codec_context.name, "")
            keys = [p.is_keyframe for p in container.demux(video=0) if p.size]
    except (av.error.FFmpegError, OSError) as exc:
        raise ReplayError(f"{path} is not a video this client can replay ({exc})") from None
    if codec not in ("h264", "vp8"):
        raise ReplayError(f"{path}: only H.264 and VP8 can be sent as they are")
    if not keys:
        raise ReplayError(f"{path} has no frames")
    return codec, all(keys)


def _format(path: Path) -> tuple[str, str]:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise ReplayError(
            f"{path}: --passthrough sends .h264 (Annex B) or .ivf (VP8) files as they are"
        ) from None


def _packets(path: Path, loop: bool) -> Iterator[Packet]:
    while True:
        with av.open(str(path)) as container:
            for packet in container.demux(video=0):
                if packet.size:
                    yield packet
        if not loop:
            return


class PacketTrack(PacedTrack[Packet]):
    """The file's packets, sent as they are at its rate (an .ivf says it; a raw .h264 does
    not: SOURCE_FPS), or at the server's pace by leaving packets out when every frame is a
    key frame (see PacedTrack)."""

    def __init__(self, path: Path, *, loop: bool = False) -> None:
        self.codec, droppable = probe(path)
        fps = frame_rate(path) if self.codec == "vp8" else SOURCE_FPS
        super().__init__(_packets(path, loop), droppable=droppable, fps=fps)

    async def recv(self) -> Packet:
        packet, pts = await self.next_item()
        packet.pts = pts
        packet.time_base = fractions.Fraction(1, CLOCK)
        return packet
