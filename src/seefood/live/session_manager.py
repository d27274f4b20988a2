"""Accepting WebRTC offers: validation, limits, the answer, and every live session's end."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable

from aiortc import (
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpTransceiver,
    RTCSessionDescription,
)

from seefood.inference.service import InferenceService
from seefood.live import aiortc_patch
from seefood.live.admission import WaitingRoom
from seefood.live.sdp import (
    OfferError,
    add_bitrate_hints,
    check_offer,
    codec_preferences,
    reachable_candidates,
    wait_for_peer_reflexive,
    why_no_candidates,
)
from seefood.live.session import LiveSession
from seefood.live.settings import LiveSettings
from seefood.sightings.recorder import Seen

log = logging.getLogger("seefood.sessions")


class NoSuchSession(LookupError):
    """No live session has this id (HTTP 404)."""


class NotYourSession(PermissionError):
    """The token does not match the session's (HTTP 403)."""


class SessionManager:
    def __init__(
        self,
        service: InferenceService,
        settings: LiveSettings | None = None,
        *,
        allow_loopback: bool = True,  # contact loopback candidates (when serving on loopback)
        on_sighting: Callable[[Seen], None] | None = None,  # a hot dog confirmed (recorder)
    ) -> None:
        # Every peer connection from here on negotiates and reads the video-orientation
        # extension and uses the configured ICE host addresses.
        aiortc_patch.apply()
        self.service = service
        self.settings = settings or LiveSettings()
        self.allow_loopback = allow_loopback
        self.on_sighting = on_sighting
        self.ice = self.settings.ice()
        self.bitrate = self.settings.bitrate()
        self.sessions: dict[str, LiveSession] = {}
        self._pending: list[str] = []  # clients whose offers are being answered
        self.waiting_room = WaitingRoom(
            self._room,
            wait=self.settings.admission_wait_seconds,
            max_waiting=self.settings.max_waiting,
            max_waiting_per_client=self.settings.max_waiting_per_client,
        )

    def _room(self, client: str) -> str | None:
        """Why `client` cannot start a session now, or None when it can. A session that
        never connects holds a place for `connect_timeout` only, and one address can hold
        only a few connecting places that way (the waiting room lets others by meanwhile)."""
        limits = self.settings
        connecting = [s for s in self.sessions.values() if not s.connected]
        if len(self.sessions) + len(self._pending) >= limits.max_sessions:
            return f"the server is at its limit of {limits.max_sessions} sessions"
        if len(connecting) + len(self._pending) >= limits.max_connecting:
            return f"{limits.max_connecting} calls are connecting"
        mine = sum(s.client == client for s in connecting) + self._pending.count(client)
        if mine >= limits.max_connecting_per_client:
            return f"{mine} calls from this address are connecting"
        return None

    async def accept(
        self, sdp: str, kind: str, client: str = "unknown", ticket: str | None = None
    ) -> tuple[LiveSession, RTCSessionDescription]:
        """Answer an offer, once there is a place for it (see `WaitingRoom`, whose
        `Waiting` and `WaitingRoomFull` this raises); a bad offer is refused at once."""
        sdp = self._checked(sdp, kind)
        await self.waiting_room.enter(client, ticket)
        self._pending.append(client)  # at once: the next in line sees this place taken
        pc = RTCPeerConnection(RTCConfiguration(iceServers=self.ice.servers() or None))
        session: LiveSession | None = None
        try:
            # A video transceiver made before the offer is applied takes its m-line, and its
            # codec preferences order the answer: H.264 first, then VP8.
            transceiver = pc.addTransceiver("video", direction="recvonly")
            capabilities = RTCRtpReceiver.getCapabilities("video")
            transceiver.setCodecPreferences(
                codec_preferences(capabilities.codecs if capabilities else [])
            )
            session = LiveSession(
                pc,
                self.service,
                client=client,
                settings=self.settings,
                on_closed=self._forget,
                on_connected=self.waiting_room.changed,
                on_sighting=self.on_sighting,
            )
            session.watch_receiver(transceiver.receiver)
            answer = await self._answer(pc, transceiver, sdp)
            self.sessions[session.id] = session
            codec = aiortc_patch.negotiated_codecs(transceiver)[0].mimeType
            log.info("session start", extra={"session": session.id, "codec": codec})
            return session, answer
        except BaseException:
            if session is not None:
                await session.close("offer failed")
            else:
                await pc.close()
            raise
        finally:
            self._pending.remove(client)
            self.waiting_room.changed()

    def _checked(self, sdp: str, kind: str) -> str:
        """The offer as the server will apply it, or OfferError for the client."""
        if kind != "offer":
            raise OfferError(f"expected an SDP offer, got type {kind!r}")
        check_offer(sdp)
        reachable = reachable_candidates(sdp, allow_loopback=self.allow_loopback)
        if "a=candidate:" in sdp and "a=candidate:" not in reachable:
            raise OfferError(
                "none of the offer's ICE candidates is an address the server will contact "
                "(loopback, link-local, multicast and unspecified addresses are not)"
            )
        return wait_for_peer_reflexive(reachable)

    async def _answer(
        self, pc: RTCPeerConnection, transceiver: RTCRtpTransceiver, sdp: str
    ) -> RTCSessionDescription:
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        except Exception as exc:  # aiortc raises ValueError, OperationError, ...
            raise OfferError(_describe(exc)) from None
        if transceiver.mid is None:
            raise OfferError("the offer's video is not sent to the server")
        # Extra audio/video sections would get receivers nobody reads (their queues grow
        # without bound): answer them inactive.
        for other in pc.getTransceivers():
            if other is not transceiver:
                other.direction = "inactive"
        codecs = aiortc_patch.negotiated_codecs(transceiver)
        if not codecs:
            raise OfferError("no common video codec: the server accepts H.264 and VP8")
        try:
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception as exc:  # an offer aiortc accepted but cannot answer
            log.info("offer not answerable", extra={"error": repr(exc)})
            raise OfferError(_describe(exc)) from None
        local = pc.localDescription
        if "a=candidate:" not in local.sdp:  # aioice dropped the only ICE component
            raise OfferError(why_no_candidates(sdp))
        return RTCSessionDescription(
            sdp=add_bitrate_hints(local.sdp, self.bitrate), type=local.type
        )

    async def close(self, session_id: str, token: str) -> None:
        """End a session for the client that made it (it holds the session's token)."""
        session = self.sessions.get(session_id)
        if session is None:
            raise NoSuchSession(f"no live session {session_id!r}")
        if not secrets.compare_digest(token.encode(), session.token.encode()):
            raise NotYourSession("this session belongs to another client")
        await session.close("closed by the client", tell_peer=False)

    async def close_all(self) -> None:
        await asyncio.gather(*(s.close("server shutdown") for s in list(self.sessions.values())))

    def _forget(self, session: LiveSession) -> None:
        self.sessions.pop(session.id, None)
        self.waiting_room.changed()


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if "codec" in text.lower() or "send parameters" in text.lower():
        return f"no common codec ({text}): the server accepts H.264 and VP8 video"
    return f"cannot use this offer: {text}"
