"""SDP: offer checks, codec preference, bitrate hints in the answer."""

import re

import pytest
from aiortc import RTCRtpCodecCapability

from seefood.live.sdp import (
    BitrateHints,
    OfferError,
    add_bitrate_hints,
    check_offer,
    codec_preferences,
    reachable_candidates,
)

ANSWER = "\r\n".join(
    [
        "v=0",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111",
        "a=rtpmap:111 opus/48000/2",
        "a=fmtp:111 minptime=10",
        "m=video 9 UDP/TLS/RTP/SAVPF 102 103 96",
        "a=rtpmap:102 H264/90000",
        "a=fmtp:102 packetization-mode=1;profile-level-id=42e01f",
        "a=rtpmap:103 rtx/90000",
        "a=fmtp:103 apt=102",
        "a=rtpmap:96 VP8/90000",
        "a=rtcp-fb:96 nack",
        "",
    ]
)


def test_hints_go_on_every_video_codec_and_nowhere_else() -> None:
    out = add_bitrate_hints(ANSWER, BitrateHints(1000, 300, 2500)).split("\r\n")
    hint = "x-google-start-bitrate=1000;x-google-min-bitrate=300;x-google-max-bitrate=2500"
    assert f"a=fmtp:102 packetization-mode=1;profile-level-id=42e01f;{hint}" in out
    assert "a=fmtp:103 apt=102" in out  # RTX untouched
    assert "a=fmtp:111 minptime=10" in out  # audio untouched
    vp8 = out.index("a=rtpmap:96 VP8/90000")
    assert out[vp8 + 1] == f"a=fmtp:96 {hint}"  # added where there was none
    assert out[-1] == "" and len(out) == len(ANSWER.split("\r\n")) + 1


def test_no_hints_leaves_the_answer_alone() -> None:
    assert add_bitrate_hints(ANSWER, None) == ANSWER


OFFER = "\r\n".join(
    [
        "v=0",
        "o=- 1 1 IN IP4 0.0.0.0",
        "s=-",
        "t=0 0",
        "m=video 9 UDP/TLS/RTP/SAVPF 96",
        "c=IN IP4 0.0.0.0",
        "a=mid:0",
        "a=sendonly",
        "a=rtpmap:96 VP8/90000",
        "a=fingerprint:sha-256 " + ":".join(["AB"] * 32),
        "a=setup:actpass",
        "",
    ]
)


def test_a_sending_video_offer_passes() -> None:
    check_offer(OFFER)
    check_offer(OFFER.replace("a=sendonly", "a=sendrecv"))


@pytest.mark.parametrize(
    ("sdp", "message"),
    [
        ("hello", "must start with 'v=0'"),
        ("", "must start with 'v=0'"),
        ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n", "no video"),
        (OFFER.replace("a=sendonly", "a=recvonly"), "not sent to the server (direction recvonly"),
        (OFFER.replace("a=sendonly", "a=inactive"), "not sent"),
        (OFFER.replace("m=video 9", "m=video 0"), "port 0"),
        ("v=0\r\n" + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n" * 5, "5 media sections"),
        (OFFER.replace("a=mid:0", "a=mid:0\x00"), "control characters"),
        (OFFER.replace("a=sendonly\r\n", ""), "has no direction"),
        (OFFER.replace("a=mid:0\r\n", ""), "its own a=mid"),
        ("v=0\r\na=group:BUNDLE 0 1\r\n" + OFFER[5:], "not there: 1"),
        (OFFER.replace("sha-256 AB", "sha-256 ZZ"), "malformed sha-256 fingerprint"),
        (OFFER.replace("sha-256 " + ":".join(["AB"] * 32), "md5 " + ":".join(["AB"] * 16)), "md5"),
        (OFFER.replace("a=setup:actpass\r\n", ""), "no DTLS fingerprint and setup role"),
    ],
)
def test_offers_the_server_cannot_use(sdp: str, message: str) -> None:
    with pytest.raises(OfferError, match=re.escape(message)):
        check_offer(sdp)


def _codec(mime: str) -> RTCRtpCodecCapability:
    return RTCRtpCodecCapability(mimeType=mime, clockRate=90000)


def test_codec_preferences_put_the_wanted_codecs_first_with_their_rtx() -> None:
    caps = [
        _codec("video/VP8"),
        _codec("video/rtx"),
        _codec("video/H264"),
        _codec("video/AV1"),
    ]
    ordered = [c.mimeType for c in codec_preferences(caps)]
    assert ordered == ["video/H264", "video/VP8", "video/rtx"], "AV1 is not decoded: left out"
    assert [c.mimeType for c in codec_preferences(caps, ["video/vp8"])] == [
        "video/VP8",
        "video/rtx",
    ]
    assert codec_preferences([]) == []


def _with_candidates(*addresses: str) -> str:
    lines = [
        f"a=candidate:{i} 1 udp 2122260223 {a} 5000{i} typ host" for i, a in enumerate(addresses)
    ]
    return OFFER + "\r\n".join(lines) + "\r\n"


def test_candidates_the_server_must_not_contact_are_left_out() -> None:
    offer = _with_candidates(
        "192.168.1.20",
        "127.0.0.1",
        "169.254.169.254",
        "224.0.0.1",
        "0.0.0.0",
        "fe80::1",
        "255.255.255.255",
        "2001:db8::5",
        "abc.local",
    )
    kept = [
        line.split()[4]
        for line in reachable_candidates(offer, allow_loopback=False).split("\r\n")
        if line.startswith("a=candidate")
    ]
    assert kept == ["192.168.1.20", "2001:db8::5", "abc.local"]
    kept = [
        line.split()[4]
        for line in reachable_candidates(offer, allow_loopback=True).split("\r\n")
        if line.startswith("a=candidate")
    ]
    assert "127.0.0.1" in kept
    many = _with_candidates(*(f"10.0.0.{i}" for i in range(50)))
    assert reachable_candidates(many, allow_loopback=False).count("a=candidate") == 32
