"""The Python WebRTC client behind `seefood stream`: send video, print what comes back."""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import json
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription

from seefood.contrib.paced import CLOCK, PacedTrack
from seefood.contrib.replay import PacketTrack
from seefood.live import aiortc_patch
from seefood.live.orientation import Orientation, rotate_away
from seefood.live.protocol import CHANNEL_LABEL
from seefood.live.sdp import codec_preferences
from seefood.types import RGBImage

CODECS = {"h264": "video/h264", "vp8": "video/vp8"}


class SourceError(ValueError):
    """The file to send is not a video this client can read; the message says why."""


def file_frames(path: Path, loop: bool) -> Iterator[RGBImage]:
    """Decoded RGB frames of any video PyAV opens, from the start again if `loop`.

    Raises SourceError at once, before any frame, if the file is no video.
    """
    try:
        with av.open(str(path)) as probe:
            if not probe.streams.video:
                raise SourceError(f"{path} has no video stream")
    except (av.error.FFmpegError, OSError) as exc:
        raise SourceError(f"{path} is not a video this client can read ({exc})") from None
    return _decoded_frames(path, loop)


def _decoded_frames(path: Path, loop: bool) -> Iterator[RGBImage]:
    while True:
        with av.open(str(path)) as container:
            produced = False
            for frame in container.decode(video=0):
                produced = True
                yield np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
        if not loop or not produced:
            return


def pattern_frames(width: int = 640, height: int = 480) -> Iterator[RGBImage]:
    """A synthetic test pattern: colour bars with a moving white square."""
    bars = np.zeros((height, width, 3), np.uint8)
    colours = [
        (255, 255, 255),
        (255, 255, 0),
        (0, 255, 255),
        (0, 255, 0),
        (255, 0, 255),
        (255, 0, 0),
        (0, 0, 255),
        (16, 16, 16),
    ]
    for i, colour in enumerate(colours):
        bars[:, i * width // 8 : (i + 1) * width // 8] = colour
    n = 0
    while True:
        frame = bars.copy()
        x = int((math.sin(n / 30) + 1) / 2 * (width - 80))
        frame[height // 2 - 40 : height // 2 + 40, x : x + 80] = 255
        n += 1
        yield frame


class SourceTrack(PacedTrack[RGBImage]):
    """Decoded frames, encoded by aiortc, at the source's rate or the server's pace (see
    PacedTrack); turns each frame away from upright when a rotation is simulated."""

    def __init__(self, frames: Iterator[RGBImage], orientation: Orientation) -> None:
        super().__init__(frames)
        self.orientation = orientation

    async def recv(self) -> av.VideoFrame:
        image, pts = await self.next_item()
        height, width = image.shape[:2]
        image = image[: height - height % 2, : width - width % 2]  # 4:2:0 needs even sizes
        image = rotate_away(image, self.orientation)
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
        frame.pts = pts
        frame.time_base = fractions.Fraction(1, CLOCK)
        return frame


class Unreachable(ConnectionError):
    """The server did not answer at all (not running, wrong address, network down)."""


class Refused(RuntimeError):
    """The server answered the offer with an error; `status` says which."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"offer refused ({status}): {detail}")
        self.status = status
        self.detail = detail

    @property
    def passing(self) -> bool:
        """Whether trying again later may succeed (busy), not a fault of the offer."""
        return self.status in (429, 503)


class StreamClient:
    """One live session with a seefood server."""

    def __init__(
        self,
        url: str,
        source: Iterator[RGBImage] | PacketTrack,
        *,
        codec: str = "h264",
        rotation: int = 0,
        on_message: Callable[[dict[str, Any]], None] | None = None,
        verify_tls: bool = True,
        access_token: str | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.orientation = Orientation(rotation=rotation)
        self.track: SourceTrack | PacketTrack
        if isinstance(source, PacketTrack):  # sent as they are: the file's codec, no turning
            if rotation:
                raise ValueError("a file sent as it is cannot be turned (--rotate)")
            self.track, self.codec = source, source.codec
        else:
            self.track, self.codec = SourceTrack(source, self.orientation), codec
        self.on_message = on_message
        self.verify_tls = verify_tls
        self.pc = RTCPeerConnection()
        self.session_id: str | None = None
        self.token: str | None = None  # the session's, to end it
        # The server's access token, needed beyond loopback.
        self._auth = {"authorization": f"Bearer {access_token}"} if access_token else {}
        self.messages: list[dict[str, Any]] = []
        self.ended: str | None = None  # why the server ended the session, if it said
        self._sent_at: OrderedDict[int, float] = OrderedDict()  # RTP timestamp -> time sent

    async def start(self) -> None:
        transceiver = self.pc.addTransceiver(self.track, direction="sendonly")
        caps = RTCRtpSender.getCapabilities("video")
        transceiver.setCodecPreferences(
            codec_preferences(caps.codecs if caps else [], [CODECS[self.codec]])
        )
        extensions = aiortc_patch.sender_extensions_map(transceiver.sender)
        if self.orientation.rotation:
            extensions.video_orientation = self.orientation.to_byte()
        extensions.on_send = self._on_packet_sent
        channel = self.pc.createDataChannel(CHANNEL_LABEL, ordered=False, maxRetransmits=0)
        channel.on("message", self._on_message)
        await self.pc.setLocalDescription(await self.pc.createOffer())
        offer = self.pc.localDescription
        try:
            async with httpx.AsyncClient(
                verify=self.verify_tls, timeout=30, headers=self._auth
            ) as http:
                response = await http.post(
                    f"{self.url}/v1/webrtc/offer", json={"sdp": offer.sdp, "type": offer.type}
                )
        except httpx.TransportError as exc:
            raise Unreachable(f"cannot reach the server at {self.url}: {_reason(exc)}") from None
        if response.status_code != 200:
            try:
                detail = str(response.json().get("detail", response.text))
            except ValueError:
                detail = response.text
            raise Refused(response.status_code, detail)
        answer = response.json()
        self.session_id = answer["session_id"]
        self.token = answer["token"]
        await self.pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))

    def _on_packet_sent(self, packet: Any) -> None:
        if packet.timestamp not in self._sent_at:
            self._sent_at[packet.timestamp] = time.monotonic()
            while len(self._sent_at) > 600:
                self._sent_at.popitem(last=False)

    def _on_message(self, data: str | bytes) -> None:
        message: dict[str, Any] = json.loads(data)
        sent = self._sent_at.get(message.get("frame", -1))
        if sent is not None:
            message["rtt_ms"] = round((time.monotonic() - sent) * 1000, 2)
        self.messages.append(message)
        if message.get("type") == "pace":
            self.track.max_fps = message.get("fps")
        if message.get("type") == "closing":
            self.ended = f"the server closed the session: {message.get('reason')}"
        if self.on_message is not None:
            self.on_message(message)

    @property
    def ending(self) -> str | None:
        """Why this session is over, or None while it is live."""
        if self.ended is not None:
            return self.ended
        if self.pc.connectionState in ("failed", "closed"):
            return f"the connection {self.pc.connectionState}"
        if self.track.readyState != "live":
            return "the video ended"
        return None

    async def stop(self, *, say_goodbye: bool = True) -> None:
        """Close the session; without goodbye the server must notice on its own."""
        if say_goodbye and self.session_id is not None and self.ended is None:
            with contextlib.suppress(httpx.TransportError):  # gone already: nothing to end
                async with httpx.AsyncClient(
                    verify=self.verify_tls, timeout=10, headers=self._auth
                ) as http:
                    await http.delete(
                        f"{self.url}/v1/webrtc/sessions/{self.session_id}",
                        headers={"x-session-token": self.token or ""},
                    )
        await self.pc.close()


async def run_stream(client: StreamClient, duration: float) -> list[dict[str, Any]]:
    """One session for `duration` seconds, or until it ends."""
    await client.start()
    try:
        deadline = time.monotonic() + duration
        while time.monotonic() < deadline and client.ending is None:
            await asyncio.sleep(0.05)
    finally:
        await client.stop()
    return client.messages


MAX_RETRIES = 5  # consecutive failed reconnects, 1 + 2 + 4 + 8 + 16 s apart, as the page


async def keep_streaming(
    new_client: Callable[[], StreamClient], duration: float, say: Callable[[str], None]
) -> tuple[list[dict[str, Any]], int]:
    """Stream for `duration`, reconnecting with back-off when the server goes away.

    The first connection must succeed (a wrong address should fail at once); after that an
    outage, however long, is ridden out with up to MAX_RETRIES tries in a row. Returns all
    messages and the number of frames sent.
    """
    deadline = time.monotonic() + duration
    messages: list[dict[str, Any]] = []
    sent = 0
    failures = 0
    connected_once = False
    while time.monotonic() < deadline:
        client = new_client()
        try:
            await client.start()
        except (Unreachable, Refused) as exc:
            await client.pc.close()
            permanent = isinstance(exc, Refused) and not exc.passing
            if not connected_once or permanent or failures >= MAX_RETRIES:
                raise
            delay = 2.0**failures
            failures += 1
            say(f"{exc}; trying again in {delay:g} s")
            await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            continue
        connected_once, failures = True, 0
        try:
            while time.monotonic() < deadline and client.ending is None:
                await asyncio.sleep(0.05)
        finally:
            ending = client.ending
            await client.stop()
            messages += client.messages
            sent += client.track.sent
        if ending is None or ending == "the video ended":
            break
        say(f"{ending}; reconnecting")
    return messages, sent


def _reason(exc: httpx.TransportError) -> str:
    cause: BaseException | None = exc
    while cause is not None:  # httpx says "All connection attempts failed"; the OS says why
        if isinstance(cause, ConnectionRefusedError) or "refused" in str(cause).lower():
            return "connection refused (is `seefood serve` running there?)"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.TimeoutException):
        return "no answer in time"
    return str(exc) or type(exc).__name__
