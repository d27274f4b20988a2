"""The aiortc internals seefood relies on, and CVO on crafted RTP packets.

If an aiortc upgrade moves any of these, this file fails first and says which.
"""

from pathlib import Path
from typing import Any, cast

import aiortc
import pytest
from aiortc import RTCPeerConnection, rtp
from aiortc.codecs import HEADER_EXTENSIONS
from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters, RTCRtpParameters

from seefood.live import aiortc_patch
from seefood.live.orientation import Orientation
from seefood.live.video_size import DEFAULT_MAX_VIDEO_PIXELS

aiortc_patch.apply()  # as the session manager and the client do when they are made


def _map(cvo_id: int | None) -> rtp.HeaderExtensionsMap:
    exts = [RTCRtpHeaderExtensionParameters(id=1, uri="urn:ietf:params:rtp-hdrext:sdes:mid")]
    if cvo_id is not None:
        exts.append(RTCRtpHeaderExtensionParameters(id=cvo_id, uri=aiortc_patch.CVO_URI))
    m = rtp.HeaderExtensionsMap()
    m.configure(RTCRtpParameters(headerExtensions=exts))
    return m


def _packet(sender_map: rtp.HeaderExtensionsMap, timestamp: int = 90_000) -> bytes:
    packet = rtp.RtpPacket(payload_type=96, sequence_number=1, timestamp=timestamp, ssrc=1234)
    packet.extensions.mid = "0"
    packet.payload = b"\x00" * 10
    return packet.serialize(sender_map)


def test_the_pinned_aiortc_is_the_one_patched() -> None:
    assert aiortc.__version__ == aiortc_patch.TESTED_AIORTC


def test_cvo_is_offered_for_video_only() -> None:
    assert any(e.uri == aiortc_patch.CVO_URI for e in HEADER_EXTENSIONS["video"])
    assert not any(e.uri == aiortc_patch.CVO_URI for e in HEADER_EXTENSIONS["audio"])
    aiortc_patch.apply()  # idempotent
    assert sum(e.uri == aiortc_patch.CVO_URI for e in HEADER_EXTENSIONS["video"]) == 1


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
@pytest.mark.parametrize("flip", [False, True])
def test_every_rotation_and_flip_survives_the_wire(rotation: int, flip: bool) -> None:
    sender, receiver = _map(13), _map(13)
    byte = Orientation(rotation, flip, back_camera=True).to_byte()
    sender.video_orientation = byte  # type: ignore[attr-defined]
    parsed = rtp.RtpPacket.parse(_packet(sender), receiver)
    assert parsed.extensions.video_orientation == byte  # type: ignore[attr-defined]
    assert parsed.extensions.mid == "0", "other extensions still parse"


def test_missing_extension_reads_as_none() -> None:
    parsed = rtp.RtpPacket.parse(_packet(_map(13)), _map(13))
    assert parsed.extensions.video_orientation is None  # type: ignore[attr-defined]
    # CVO not negotiated at all: nothing is written even if a value is set.
    sender = _map(None)
    sender.video_orientation = 1  # type: ignore[attr-defined]
    parsed = rtp.RtpPacket.parse(_packet(sender), _map(13))
    assert parsed.extensions.video_orientation is None  # type: ignore[attr-defined]


def test_the_negotiated_id_is_the_one_read() -> None:
    sender = _map(7)
    sender.video_orientation = 2  # type: ignore[attr-defined]
    data = _packet(sender)
    assert rtp.RtpPacket.parse(data, _map(7)).extensions.video_orientation == 2  # type: ignore[attr-defined]
    assert rtp.RtpPacket.parse(data, _map(13)).extensions.video_orientation is None  # type: ignore[attr-defined]
    # Re-negotiation with another id takes effect.
    receiver = _map(7)
    receiver.configure(
        RTCRtpParameters(
            headerExtensions=[RTCRtpHeaderExtensionParameters(id=9, uri=aiortc_patch.CVO_URI)]
        )
    )
    assert rtp.RtpPacket.parse(data, receiver).extensions.video_orientation is None  # type: ignore[attr-defined]


def test_garbage_rtp_is_refused_by_aiortc() -> None:
    with pytest.raises(ValueError):
        rtp.RtpPacket.parse(b"\x80\x60garbage", _map(13))


def test_send_hook_sees_every_packet() -> None:
    sender = _map(13)
    seen: list[int] = []
    sender.on_send = lambda packet: seen.append(packet.timestamp)  # type: ignore[attr-defined]
    _packet(sender, 1111)
    _packet(sender, 2222)
    assert seen == [1111, 2222]


async def _internals() -> None:
    pc = RTCPeerConnection()
    transceiver = pc.addTransceiver("video", direction="sendrecv")
    assert isinstance(
        aiortc_patch.sender_extensions_map(transceiver.sender), rtp.HeaderExtensionsMap
    )
    assert aiortc_patch.receiver_timestamp_origin(transceiver.receiver) is None
    assert aiortc_patch.negotiated_codecs(transceiver) == [], "nothing before an offer"
    seen: list[object] = []
    aiortc_patch.receiver_packet_hook(transceiver.receiver, seen.append)
    packet = rtp.RtpPacket(payload_type=96, sequence_number=1, timestamp=90_000, ssrc=1234)
    await transceiver.receiver._handle_rtp_packet(packet, 0)
    assert seen == [packet], "the hook saw the packet before aiortc handled it"
    await pc.close()


def test_private_attributes_used_exist() -> None:
    import asyncio

    asyncio.run(_internals())


def test_host_addresses_can_be_set() -> None:
    import aioice.ice

    try:
        aiortc_patch.set_host_addresses(["127.0.0.1", "::1"])
        assert aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=False) == ["127.0.0.1"]
        assert aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=True) == ["127.0.0.1", "::1"]
    finally:
        aiortc_patch.set_host_addresses(None)
    assert "127.0.0.1" not in aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=False)


def test_constrained_high_h264_is_received_beside_baseline() -> None:
    from aiortc.codecs import CODECS

    profiles = [c.parameters.get("profile-level-id") for c in CODECS["video"]]
    assert profiles.count("640c1f") == 1 and "42e01f" in profiles
    payload_types = [c.payloadType for c in CODECS["video"]]
    assert len(set(payload_types)) == len(payload_types)


def test_every_received_video_decoder_is_bounded(tmp_path: Path) -> None:
    import numpy as np
    from aiortc import rtcrtpreceiver
    from aiortc.codecs import CODECS
    from aiortc.jitterbuffer import JitterFrame

    from seefood.client.replay import make_replay
    from tests.h264 import declaring

    h264 = next(c for c in CODECS["video"] if c.mimeType == "video/H264")
    data = make_replay([np.zeros((240, 320, 3), np.uint8)] * 2, tmp_path / "c.h264").read_bytes()
    try:
        aiortc_patch.set_max_video_pixels(320 * 240)
        decoder: Any = cast(Any, rtcrtpreceiver).get_decoder(h264)
        assert decoder.decoder.codec.options["max_pixels"] == str(320 * 240)
        assert decoder.decode(JitterFrame(data, 0))[0].width == 320
        too_large = decoder.decode(JitterFrame(declaring(data, 640, 480), 3000))
        assert too_large == [aiortc_patch.OversizeVideo(640, 480, 320 * 240)]
        assert decoder.decode(JitterFrame(data, 6000)) == [], "nothing more once refused"
    finally:
        aiortc_patch.set_max_video_pixels(DEFAULT_MAX_VIDEO_PIXELS)
