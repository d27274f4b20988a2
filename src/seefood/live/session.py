"""One viewer's live session: a peer connection in, detections out on a data channel."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
import uuid
from collections.abc import Callable
from typing import Any

import av
from aiortc import RTCDataChannel, RTCPeerConnection, RTCRtpReceiver
from aiortc.mediastreams import MediaStreamError

from seefood.detection.memory import CropMemory
from seefood.inference.broker import Drop
from seefood.inference.requestor import Delivered
from seefood.inference.service import InferenceService, InferenceStream
from seefood.live import aiortc_patch
from seefood.live.channel import Messages
from seefood.live.evidence import LiveVerdict
from seefood.live.frames import ReceivedFrame
from seefood.live.orientation import OrientationTracker
from seefood.live.protocol import (
    CHANNEL_LABEL,
    alive_message,
    closing_message,
    drop_message,
    max_side,
    pace_changed,
    pace_message,
    result_message,
    reused_message,
)
from seefood.live.reuse import Reuse, thumbnail
from seefood.live.settings import LiveSettings
from seefood.live.tracks import Tracker
from seefood.live.video_size import release_memory, too_large
from seefood.sightings.recorder import Seen

log = logging.getLogger("seefood.session")

ALIVE_EVERY = 1.0  # seconds of silence on the channel before an `alive` message


class LiveSession:
    """Owns the peer connection, the frame pump, the inference stream and the data channel."""

    def __init__(
        self,
        pc: RTCPeerConnection,
        service: InferenceService,
        *,
        client: str,
        settings: LiveSettings,
        on_closed: Callable[[LiveSession], None],
        on_connected: Callable[[], None] = lambda: None,
        on_sighting: Callable[[Seen], None] | None = None,
    ) -> None:
        self.id = uuid.uuid4().hex[:12]
        self.client = client  # the address the offer came from
        # Until ICE and DTLS are through, a session only holds a slot for `connect_timeout`.
        self.connected = False
        self.connect_timeout = settings.connect_timeout_seconds
        # Only the client that made the session can end it: the answer carries this token,
        # and ending the session asks for it back.
        self.token = secrets.token_urlsafe(24)
        self.pc = pc
        self.idle_timeout = settings.session_idle_seconds
        self.max_duration = settings.session_max_seconds
        self.on_closed = on_closed
        self.on_sighting = on_sighting
        self.orientation = OrientationTracker()
        self.memory = CropMemory()  # what the classifier saw in this camera's last frames
        self.live = LiveVerdict()  # the verdict over this camera's frames
        self.tracks = Tracker()  # the objects in them
        # The last result, for frames that did not change (the models rest meanwhile).
        self.reuse: Reuse[dict[str, Any]] = Reuse(settings.live_reuse)
        self.messages = Messages(self.id)  # the data channel, once the viewer opens it
        self.frames_received = 0
        self.packets_received = 0
        self.results_sent = 0
        self.last_frame = self.started = time.monotonic()
        self.stream: InferenceStream[ReceivedFrame] = service.open_stream(
            self._send_result, self._send_drop, stream_id=f"session-{self.id}"
        )
        self.max_side = max_side(service.input_size)
        self.paced: tuple[float | None] | None = None  # the last pace told, once told
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False
        self.closed = asyncio.Event()

        @pc.on("datachannel")
        def on_datachannel(channel: RTCDataChannel) -> None:
            # One `detections` channel per session; anything else is closed at once (each
            # open channel costs memory, and a client could open thousands).
            self.messages.adopt(channel)

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if pc.connectionState == "connected":
                self.connected = True
                on_connected()  # its connecting place is free for the next in line
            elif pc.connectionState in ("failed", "closed"):
                await self.close(f"connection {pc.connectionState}", tell_peer=False)

        self._tasks.append(asyncio.create_task(self._watchdog()))

    def watch_receiver(self, receiver: RTCRtpReceiver) -> None:
        """Read CVO from every packet of the video receiver, before aiortc handles it."""

        def on_packet(packet: Any) -> None:
            self.packets_received += 1
            cvo = getattr(packet.extensions, "video_orientation", None)
            self.orientation.record(packet.timestamp, cvo)

        aiortc_patch.receiver_packet_hook(receiver, on_packet)
        self._tasks.append(asyncio.create_task(self._pump(receiver)))

    async def _pump(self, receiver: RTCRtpReceiver) -> None:
        """Drain aiortc's unbounded track queue; the sink keeps only the newest frame."""
        track = receiver.track
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                await self.close("track ended")
                return
            if isinstance(frame, aiortc_patch.OversizeVideo):
                reason = too_large(frame.width, frame.height, frame.limit)
                await self.close(reason, retry=False)  # it would be the same again
                return
            if not isinstance(frame, av.VideoFrame):
                continue  # a video track yields frames; aiortc's type says frame or packet
            now = time.monotonic()
            self.frames_received += 1
            self.last_frame = now
            if not self.messages.open:
                continue  # nobody to tell: do not spend an inference on it
            origin = aiortc_patch.receiver_timestamp_origin(receiver) or 0
            rtp_ts = (int(frame.pts or 0) + origin) & 0xFFFFFFFF
            orientation = self.orientation.at(rtp_ts)
            received = ReceivedFrame(frame, orientation, now, rtp_ts, self.memory, self.max_side)
            if self.reuse.enabled:
                received.thumbnail = thumbnail(frame)
                # Only a settled verdict stands for unchanged frames: while the evidence is
                # undecided (a new dish, one near the line) every frame is a look.
                earlier = (
                    self.reuse.lookup(received.thumbnail, received.picture, now)
                    if self.live.settled
                    else None
                )
                if earlier is not None:  # nothing changed: the last answer holds
                    if self.messages.send(reused_message(earlier, received, self.live)):
                        self.results_sent += 1
                    continue
            # A settled stream's frame may be judged from the classifier's memory (a glance).
            self.memory.settled = self.reuse.enabled and self.live.may_glance(now)
            self.memory.at = now
            self.stream.put(received)

    async def _watchdog(self) -> None:
        """Close sessions whose peer vanished without a word, or that ran too long; say the
        session is alive when nothing else was said for a second (see protocol)."""
        while True:
            await asyncio.sleep(min(0.5, self.idle_timeout / 4, self.connect_timeout / 4))
            self._pace()
            now = time.monotonic()
            if now - self.messages.last_sent >= ALIVE_EVERY:
                self.messages.send(alive_message(self.frames_received))
            if now - self.started > self.max_duration:
                await self.close("maximum session length reached")
                return
            if not self.connected and now - self.started > self.connect_timeout:
                await self.close(f"did not connect within {self.connect_timeout:g} s")
                return
            if now - self.last_frame > self.idle_timeout:
                await self.close(self._why_no_video())
                return
            if self.messages.channel is None and now - self.started > self.idle_timeout:
                await self.close(f"no '{CHANNEL_LABEL}' data channel")
                return

    def _pace(self) -> None:
        """Tell the camera how fast to send, when that has changed enough to matter."""
        fps = self.stream.fair_fps
        if self.paced is not None and not pace_changed(self.paced[0], fps):
            return
        if self.messages.send(pace_message(fps, self.max_side)):
            self.paced = (fps,)

    def _send_result(self, delivered: Delivered[ReceivedFrame]) -> None:
        result = delivered.inference.result
        now = time.monotonic()
        before = self.live.verdict
        glanced = self.memory.glanced  # a glance repeats earlier looks: no evidence, not reused
        if not glanced:
            self.live.look(result.hotdog_score, result.threshold, now)
        confirmed = self.live.verdict == "hotdog" and before != "hotdog"
        if confirmed and self.on_sighting is not None:
            # A confirmed episode: once, when the evidence first holds (not every frame).
            seen = Seen("live", self.id, delivered.frame.to_rgb, result, self.live.evidence)
            self.on_sighting(seen)
        message = result_message(delivered, self.live, self.tracks)
        frame = delivered.frame
        if not glanced:
            self.reuse.remember(frame.thumbnail, frame.picture, message, now, firm=self.live.firm)
        if self.messages.send(message):
            self.results_sent += 1

    def _send_drop(self, frame: ReceivedFrame, drop: Drop) -> None:
        self.messages.send(drop_message(frame, drop))

    def _why_no_video(self) -> str:
        if self.packets_received and not self.frames_received:
            n, idle = self.packets_received, self.idle_timeout
            return f"the video could not be decoded ({n} packets, no frame in {idle:g} s)"
        return f"no video for {self.idle_timeout:g} s"

    async def close(
        self, reason: str = "closed", *, tell_peer: bool = True, retry: bool = True
    ) -> None:
        """End the session; with `tell_peer`, the client first hears why on the channel,
        and whether calling again may help (`retry`)."""
        if self._closing:
            return
        self._closing = True
        if tell_peer:
            if self.connected:  # refused in its first second: its channel may be opening
                await self.messages.opened(lambda: self.pc.connectionState == "connected", 2.0)
            if self.messages.send(closing_message(reason, retry=retry)):
                await self.messages.drain(0.5)
        current = asyncio.current_task()
        for task in self._tasks:
            if task is not current:
                task.cancel()
        await asyncio.gather(*(t for t in self._tasks if t is not current), return_exceptions=True)
        await self.stream.close()
        with contextlib.suppress(Exception):
            await self.pc.close()
        release_memory()  # the decoder's picture buffers, back to the system
        extra: dict[str, object] = {"session": self.id, "reason": reason}
        seconds = round(time.monotonic() - self.started, 1)
        extra |= {"frames": self.frames_received, "results": self.results_sent, "seconds": seconds}
        log.info("session stop", extra=extra)
        self.closed.set()
        self.on_closed(self)
