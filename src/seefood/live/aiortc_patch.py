"""The few places where seefood reaches into aiortc/aioice internals, all in one module.

aiortc 1.16 (pinned) neither negotiates nor parses the RTP video-orientation extension
(urn:3gpp:video-orientation, 3GPP TS 26.114), and aioice leaves loopback addresses out of
its host candidates. This module:

- offers the CVO extension for video, so answers negotiate it with the id the peer chose;
- parses it on receive into `HeaderExtensions.video_orientation` (the raw byte), and
  writes it on send when a sender's extension map has `video_orientation` set;
- lets a sender's extension map carry an `on_send(packet)` hook, which the Python client
  uses to learn the RTP timestamp of each frame it sends (for its round-trip estimate);
- lets the host addresses used for ICE candidates be configured (`set_host_addresses`);
- bounds received video: every decoder is wrapped so that a stream declaring more pixels
  than `set_max_video_pixels` allows is never decoded (its track yields one
  `OversizeVideo` instead of frames), and libavcodec's own `max_pixels` backs that up;
- reads what a transceiver negotiated (`negotiated_codecs`) and a receiver's RTP clock;
- adds H.264 Constrained High (profile-level-id 640c1f) to what aiortc receives: Safari
  offers it beside Constrained Baseline, iOS's hardware encoder prefers it, and aiortc
  answers only Baseline; libavcodec decodes both.

`SessionManager` and `StreamClient` call `apply()` (idempotent) when they are made.
tests/live/test_aiortc_patch.py checks every internal used here, so an aiortc upgrade that
moves them fails loudly there instead of silently losing orientation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aioice.ice
import aiortc
import av
from aiortc import codecs, rtcrtpreceiver, rtp
from aiortc.rtcrtpparameters import (
    RTCRtpCodecParameters,
    RTCRtpHeaderExtensionParameters,
    RTCRtpParameters,
)

from seefood.live.video_size import DEFAULT_MAX_VIDEO_PIXELS, declared_size

CVO_URI = "urn:3gpp:video-orientation"
CVO_DEFAULT_ID = 4  # ids 1 and 3 are aiortc's own (mid, abs-send-time)
TESTED_AIORTC = "1.16.0"

_applied = False
_host_addresses: list[str] | None = None
_original_get_host_addresses = aioice.ice.get_host_addresses
_original_get_decoder = codecs.get_decoder  # what rtcrtpreceiver imported
_max_video_pixels = DEFAULT_MAX_VIDEO_PIXELS


def apply() -> None:
    global _applied
    if _applied:
        return
    if not any(e.uri == CVO_URI for e in codecs.HEADER_EXTENSIONS["video"]):
        codecs.HEADER_EXTENSIONS["video"].append(
            RTCRtpHeaderExtensionParameters(id=CVO_DEFAULT_ID, uri=CVO_URI)
        )
    _add_constrained_high()
    _patch_extensions_map()
    _patch_serialize()
    aioice.ice.get_host_addresses = _get_host_addresses
    rtcrtpreceiver.get_decoder = _guarded_decoder  # type: ignore[attr-defined]
    _applied = True


@dataclass(frozen=True, slots=True)
class OversizeVideo:
    """What a received video track yields instead of frames of a stream that is too large."""

    width: int
    height: int
    limit: int  # pixels


def set_max_video_pixels(pixels: int) -> None:
    """Received video declaring more pixels than this (width x height) is not decoded."""
    global _max_video_pixels
    _max_video_pixels = pixels


def _guarded_decoder(codec: RTCRtpCodecParameters) -> Any:
    decoder = _original_get_decoder(codec)
    context = getattr(decoder, "codec", None)
    if isinstance(context, av.CodecContext):  # H.264: libavcodec refuses larger pictures too
        context.options = {**context.options, "max_pixels": str(_max_video_pixels)}
    return _SizeGuard(decoder, codec.name, _max_video_pixels)


class _SizeGuard:
    """A decoder that reads each encoded frame's declared size first (video_size) and
    decodes nothing of a stream over the limit; runs in aiortc's decoder thread."""

    def __init__(self, decoder: Any, codec: str, limit: int) -> None:
        self.decoder, self.codec, self.limit = decoder, codec, limit
        self.refused = False

    def decode(self, encoded_frame: Any) -> list[Any]:
        if self.refused:
            return []
        size = declared_size(self.codec, encoded_frame.data)
        if size is None or size[0] * size[1] <= self.limit:
            frames: list[Any] = self.decoder.decode(encoded_frame)
            big = [f for f in frames if f.width * f.height > self.limit]
            if not big:
                return frames
            size = (big[0].width, big[0].height)
        self.refused = True
        return [OversizeVideo(size[0], size[1], self.limit)]


CONSTRAINED_HIGH = "640c1f"


def _add_constrained_high() -> None:
    video = codecs.CODECS["video"]
    if any(c.parameters.get("profile-level-id") == CONSTRAINED_HIGH for c in video):
        return
    base = next(c for c in video if c.mimeType.lower() == "video/h264")
    payload_type = max(c.payloadType for c in video if c.payloadType is not None) + 1
    video += [
        RTCRtpCodecParameters(
            mimeType="video/H264",
            clockRate=base.clockRate,
            payloadType=payload_type,
            rtcpFeedback=list(base.rtcpFeedback),
            parameters={**base.parameters, "profile-level-id": CONSTRAINED_HIGH},
        ),
        RTCRtpCodecParameters(
            mimeType="video/rtx",
            clockRate=base.clockRate,
            payloadType=payload_type + 1,
            parameters={"apt": payload_type},
        ),
    ]


def set_host_addresses(addresses: Sequence[str] | None) -> None:
    """Use exactly these addresses for host candidates (None: aioice's own choice).

    aioice skips 127.0.0.1, so a single-machine setup (and the tests) passes it here.
    """
    global _host_addresses
    _host_addresses = list(addresses) if addresses else None


def aioice_host_addresses() -> list[str]:
    """The addresses aioice itself would gather host candidates on (no loopback)."""
    return list(_original_get_host_addresses(use_ipv4=True, use_ipv6=True))


def _get_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    if _host_addresses is None:
        return _original_get_host_addresses(use_ipv4=use_ipv4, use_ipv6=use_ipv6)
    return [a for a in _host_addresses if (":" in a and use_ipv6) or (":" not in a and use_ipv4)]


def _patch_extensions_map() -> None:
    cls: Any = rtp.HeaderExtensionsMap
    configure, get, set_ = cls.configure, cls.get, cls.set

    def patched_configure(self: Any, parameters: RTCRtpParameters) -> None:
        configure(self, parameters)
        self.cvo_id = next((e.id for e in parameters.headerExtensions if e.uri == CVO_URI), None)

    def patched_get(self: Any, extension_profile: int, extension_value: bytes) -> Any:
        values = get(self, extension_profile, extension_value)
        values.video_orientation = None
        cvo_id = getattr(self, "cvo_id", None)
        if cvo_id is not None:
            for x_id, x_value in rtp.unpack_header_extensions(extension_profile, extension_value):
                if x_id == cvo_id and x_value:
                    values.video_orientation = x_value[0]
        return values

    def patched_set(self: Any, values: Any) -> tuple[int, bytes]:
        profile, packed = set_(self, values)
        cvo_id = getattr(self, "cvo_id", None)
        value = getattr(self, "video_orientation", None)
        if cvo_id is None or value is None:
            return profile, packed
        pairs = list(rtp.unpack_header_extensions(profile, packed)) if packed else []
        pairs.append((cvo_id, bytes([value & 0x0F])))
        return rtp.pack_header_extensions(pairs)

    cls.configure, cls.get, cls.set = patched_configure, patched_get, patched_set


def _patch_serialize() -> None:
    cls: Any = rtp.RtpPacket
    serialize = cls.serialize

    def patched_serialize(self: Any, extensions_map: Any = None) -> bytes:
        if extensions_map is None:
            return bytes(serialize(self))
        hook: Callable[[Any], None] | None = getattr(extensions_map, "on_send", None)
        if hook is not None:
            hook(self)
        return bytes(serialize(self, extensions_map))

    cls.serialize = patched_serialize


def sender_extensions_map(sender: aiortc.RTCRtpSender) -> Any:
    """The sender's private extension map, where the client sets CVO and its send hook."""
    return sender._RTCRtpSender__rtp_header_extensions_map  # type: ignore[attr-defined]


def negotiated_codecs(transceiver: aiortc.RTCRtpTransceiver) -> list[RTCRtpCodecParameters]:
    """The codecs a transceiver settled on after the remote description, best first."""
    codecs: list[RTCRtpCodecParameters] = transceiver._codecs
    return codecs


def receiver_timestamp_origin(receiver: aiortc.RTCRtpReceiver) -> int | None:
    """The RTP timestamp aiortc subtracts from decoded frames' pts (None before the first).

    aiortc rebases `frame.pts` to start at 0; adding this back gives the sender's RTP
    timestamp, which is what CVO packets carry and what clients can match results with.
    """
    mapper = receiver._RTCRtpReceiver__timestamp_mapper  # type: ignore[attr-defined]
    origin = getattr(mapper, "_origin", None)
    return int(origin) if origin is not None else None


def receiver_packet_hook(
    receiver: aiortc.RTCRtpReceiver, hook: Callable[[rtp.RtpPacket], None]
) -> None:
    """Call `hook` with every RTP packet this receiver handles, before aiortc does."""
    handle = receiver._handle_rtp_packet

    async def patched(packet: rtp.RtpPacket, arrival_time_ms: int) -> None:
        hook(packet)
        await handle(packet, arrival_time_ms)

    receiver._handle_rtp_packet = patched  # type: ignore[method-assign]
