"""One live session with a seefood server: the offer, the video sent, the messages back."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription

from seefood.client.paced import SOURCE_FPS
from seefood.client.replay import PacketTrack
from seefood.client.sources import SourceTrack
from seefood.live import aiortc_patch
from seefood.live.orientation import Orientation
from seefood.live.protocol import CHANNEL_LABEL
from seefood.live.sdp import codec_preferences
from seefood.types import RGBImage

CODECS = {"h264": "video/h264", "vp8": "video/vp8"}


def _high_profile(parameters: dict[str, Any]) -> bool:
    return str(parameters.get("profile-level-id", "")).lower().startswith("64")


class Unreachable(ConnectionError):
    """The server did not answer at all (not running, wrong address, network down)."""


class Refused(RuntimeError):
    """The server answered the offer with an error; `status` says which."""

    def __init__(self, status: int, detail: str, retry_after: float | None = None) -> None:
        super().__init__(f"offer refused ({status}): {detail}")
        self.status = status
        self.detail = detail
        self.retry_after = retry_after  # seconds, when the server said

    @property
    def passing(self) -> bool:
        """Whether trying again later may succeed (busy), not a fault of the offer."""
        return self.status in (429, 503)


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers["retry-after"]))
    except (KeyError, ValueError):
        return None


def _detail(response: httpx.Response) -> tuple[str, dict[str, Any]]:
    try:
        body = response.json()
    except ValueError:
        return response.text, {}
    if not isinstance(body, dict):
        return response.text, {}
    return str(body.get("detail", response.text)), body


@dataclass(frozen=True)
class Server:
    """Where the client streams to, and how it gets in."""

    url: str
    token: str | None = None  # the access token (SEEFOOD_TOKEN) beyond loopback
    verify_tls: bool = True  # off: accept a self-signed certificate


class StreamClient:
    """One live session with a seefood server."""

    def __init__(
        self,
        server: Server | str,
        source: Iterator[RGBImage] | PacketTrack,
        *,
        fps: float = SOURCE_FPS,
        codec: str = "h264",
        rotation: int = 0,
        on_message: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        server = Server(server) if isinstance(server, str) else server
        aiortc_patch.apply()  # CVO on send, and the ICE host addresses
        self.url = server.url.rstrip("/")
        self.orientation = Orientation(rotation=rotation)
        self.track: SourceTrack | PacketTrack
        if isinstance(source, PacketTrack):  # sent as they are: the file's codec, no turning
            if rotation:
                raise ValueError("a file sent as it is cannot be turned (--rotate)")
            self.track, self.codec = source, source.codec
        else:
            self.track, self.codec = SourceTrack(source, self.orientation, fps), codec
        self.on_message = on_message
        self.verify_tls = server.verify_tls
        self.pc = RTCPeerConnection()
        self.session_id: str | None = None
        self.token: str | None = None  # the session's, to end it
        # The server's access token, needed beyond loopback.
        self._auth = {"authorization": f"Bearer {server.token}"} if server.token else {}
        self.messages: list[dict[str, Any]] = []
        self.ended: str | None = None  # why the server ended the session, if it said
        self._sent_at: OrderedDict[int, float] = OrderedDict()  # RTP timestamp -> time sent

    async def start(
        self, on_wait: Callable[[str], None] | None = None, give_up_at: float | None = None
    ) -> None:
        """Make the offer and connect; while the server is full, wait in its line (saying
        so through `on_wait`) until `give_up_at` (time.monotonic())."""
        transceiver = self.pc.addTransceiver(self.track, direction="sendonly")
        caps = RTCRtpSender.getCapabilities("video")
        offered = caps.codecs if caps else []
        if isinstance(self.track, SourceTrack):  # aiortc's own encoder makes Baseline only
            offered = [c for c in offered if not _high_profile(c.parameters)]
        transceiver.setCodecPreferences(codec_preferences(offered, [CODECS[self.codec]]))
        extensions = aiortc_patch.sender_extensions_map(transceiver.sender)
        if self.orientation.rotation:
            extensions.video_orientation = self.orientation.to_byte()
        extensions.on_send = self._on_packet_sent
        channel = self.pc.createDataChannel(CHANNEL_LABEL, ordered=False, maxRetransmits=0)
        channel.on("message", self._on_message)
        await self.pc.setLocalDescription(await self.pc.createOffer())
        answer = await self._post_offer(self.pc.localDescription.sdp, on_wait, give_up_at)
        self.session_id = answer["session_id"]
        self.token = answer["token"]
        await self.pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))

    async def _post_offer(
        self, sdp: str, on_wait: Callable[[str], None] | None, give_up_at: float | None
    ) -> dict[str, Any]:
        """The server's answer; while it has no place, the same offer again with the ticket
        that keeps this client's place in line, as often as the server says."""
        body: dict[str, Any] = {"sdp": sdp, "type": "offer"}
        told = None
        async with httpx.AsyncClient(
            verify=self.verify_tls, timeout=60, headers=self._auth
        ) as http:
            while True:
                try:
                    response = await http.post(f"{self.url}/v1/webrtc/offer", json=body)
                except httpx.TransportError as exc:
                    raise Unreachable(
                        f"cannot reach the server at {self.url}: {_reason(exc)}"
                    ) from None
                if response.status_code == 200:
                    answer: dict[str, Any] = response.json()
                    return answer
                detail, fields = _detail(response)
                wait = _retry_after(response)
                ticket = fields.get("ticket")
                late = give_up_at is not None and time.monotonic() + (wait or 0) > give_up_at
                if response.status_code != 503 or not ticket or late:
                    raise Refused(response.status_code, detail, wait)
                body["ticket"] = ticket
                line = f"waiting for a place ({fields.get('ahead', '?')} ahead)"
                if on_wait is not None and line != told:
                    on_wait(line)
                told = line
                await asyncio.sleep(wait or 0)

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
            # A courtesy, so briefly: a server that does not answer notices on its own.
            with contextlib.suppress(httpx.TransportError):  # gone already: nothing to end
                async with httpx.AsyncClient(
                    verify=self.verify_tls, timeout=3, headers=self._auth
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


def _reason(exc: httpx.TransportError) -> str:
    cause: BaseException | None = exc
    while cause is not None:  # httpx says "All connection attempts failed"; the OS says why
        if isinstance(cause, ConnectionRefusedError) or "refused" in str(cause).lower():
            return "connection refused (is `seefood serve` running there?)"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.TimeoutException):
        return "no answer in time"
    return str(exc) or type(exc).__name__
