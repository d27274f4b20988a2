"""SDP: what an offer must hold, the codecs we prefer, and bitrate hints in the answer.

aiortc sends only REMB feedback; Chrome then starts at ~300 kbps and takes ~25 s to reach
720p. Chrome reads `x-google-{start,min,max}-bitrate` (kbps) from the answer's fmtp lines.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass

from aiortc import RTCRtpCodecCapability
from aiortc import sdp as aiortc_sdp

VIDEO_CODECS = ("video/h264", "video/vp8")  # what the server decodes, in order of preference
MAX_MEDIA_SECTIONS = 4  # a page sends one video (plus the data channel); more is abuse
_CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]")
_HEX_PAIR = re.compile(r"[0-9A-Fa-f]{2}")
_FINGERPRINT_BYTES = {"sha-256": 32, "sha-384": 48, "sha-512": 64}


class OfferError(ValueError):
    """The offer cannot be answered; the message is for the client (HTTP 400)."""


def check_offer(text: str) -> None:
    """What aiortc does not refuse by itself, or refuses only by failing half-way."""
    description = _parse(text)
    media = description.media
    _check_sections(media)
    _check_mids(description)
    for index, m in enumerate(media):
        where = f"media section {index} ({m.kind})"
        if m.kind in ("audio", "video") and m.direction is None:
            raise OfferError(
                f"{where} has no direction: a=sendrecv, sendonly, recvonly or inactive"
            )
        if m.port != 0:
            _check_fingerprints(m, where)


def _parse(text: str) -> aiortc_sdp.SessionDescription:
    if not text.strip().startswith("v=0"):
        raise OfferError("malformed SDP: it must start with 'v=0'")
    if _CONTROL.search(text):
        raise OfferError("malformed SDP: it holds control characters (only CRLF may end lines)")
    try:
        return aiortc_sdp.SessionDescription.parse(text)
    except Exception as exc:  # aiortc's parser raises ValueError, IndexError, ...
        raise OfferError(f"malformed SDP: {exc or type(exc).__name__}") from None


def _check_sections(media: Sequence[aiortc_sdp.MediaDescription]) -> None:
    """A few sections, one data channel at most, and a video sent to the server."""
    if len(media) > MAX_MEDIA_SECTIONS:
        raise OfferError(
            f"the offer has {len(media)} media sections; at most "
            f"{MAX_MEDIA_SECTIONS} are accepted (one video track is all the server needs)"
        )
    if sum(m.kind == "application" for m in media) > 1:
        raise OfferError("the offer has several data-channel sections; one is all it may have")
    video = next((m for m in media if m.kind == "video"), None)
    if video is None:
        raise OfferError("the offer has no video: add a video track (sendonly or sendrecv)")
    if video.port == 0 or video.direction not in (None, "sendonly", "sendrecv"):
        raise OfferError(
            f"the offer's video is not sent to the server (direction {video.direction}, "
            f"port {video.port}): send it sendonly or sendrecv"
        )


def _check_mids(description: aiortc_sdp.SessionDescription) -> None:
    mids = [m.rtp.muxId for m in description.media]
    if not all(mids) or len(set(mids)) != len(mids):
        raise OfferError("every media section needs its own a=mid (the server bundles them)")
    for group in description.group:
        unknown = [str(item) for item in group.items if str(item) not in mids]
        if unknown:
            raise OfferError(
                f"a=group:{group.semantic} names media sections that are not there: "
                f"{', '.join(unknown)}"
            )


MAX_CANDIDATES = 32  # a browser offers a handful; each one costs STUN checks


def reachable_candidates(text: str, *, allow_loopback: bool) -> str:
    """The offer without candidates the server must not send STUN checks to: unspecified,
    multicast, broadcast and link-local addresses (169.254.169.254 is many a cloud's
    metadata service), loopback unless we serve on it, and any beyond MAX_CANDIDATES."""
    kept, out = 0, []
    for line in text.split("\r\n"):
        if line.startswith("a=candidate:"):
            fields = line.split()
            address = fields[4] if len(fields) > 4 else ""
            if kept >= MAX_CANDIDATES or not _may_contact(address, allow_loopback):
                continue
            kept += 1
        out.append(line)
    return "\r\n".join(out)


def wait_for_peer_reflexive(text: str) -> str:
    """An offer whose only candidates are mDNS names (.local), without end-of-candidates.

    Safari (and Chromium, unless told otherwise) hide their host addresses behind mDNS
    names. aioice resolves them by multicast, which fails across subnets, on Wi-Fi that
    isolates clients, or from a container; with end-of-candidates said and no candidate
    left, it then drops the ICE component and answers with no candidate at all. Without
    it, the server answers with its own candidates and learns the browser's address from
    the browser's first connectivity check (a peer-reflexive candidate, RFC 8445 7.3.1.3).
    """
    candidates = [line.split() for line in text.split("\r\n") if line.startswith("a=candidate:")]
    addresses = [fields[4] if len(fields) > 4 else "" for fields in candidates]
    if not addresses or not all(a.lower().endswith(".local") for a in addresses):
        return text
    return "\r\n".join(line for line in text.split("\r\n") if line != "a=end-of-candidates")


def _may_contact(address: str, allow_loopback: bool) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address.lower().endswith(".local")  # an mDNS name; aioice resolves it
    if ip.is_loopback:
        return allow_loopback
    broadcast = ip == ipaddress.IPv4Address("255.255.255.255")
    return not (ip.is_unspecified or ip.is_multicast or ip.is_link_local or broadcast)


def why_no_candidates(text: str) -> str:
    """Why an answer to this offer has no ICE candidates: what the client should change."""
    candidates = [
        c for m in aiortc_sdp.SessionDescription.parse(text).media for c in m.ice_candidates
    ]
    if not candidates:
        return (
            "the offer has no ICE candidates: send it once ICE gathering is complete "
            "(the server does not trickle candidates)"
        )
    return "none of the offer's ICE candidates can be reached from the server"


def _check_fingerprints(media: aiortc_sdp.MediaDescription, where: str) -> None:
    """DTLS must be pinned to a certificate by a strong hash, or anyone could answer it."""
    if media.dtls is None or not media.dtls.fingerprints:
        raise OfferError(f"{where} has no DTLS fingerprint and setup role (a=fingerprint, a=setup)")
    for fingerprint in media.dtls.fingerprints:
        length = _FINGERPRINT_BYTES.get(fingerprint.algorithm.lower())
        if length is None:
            raise OfferError(
                f"{where}: fingerprint algorithm {fingerprint.algorithm!r} is not accepted; "
                "use sha-256, sha-384 or sha-512"
            )
        pairs = fingerprint.value.split(":")
        if len(pairs) != length or not all(_HEX_PAIR.fullmatch(p) for p in pairs):
            raise OfferError(
                f"{where}: malformed {fingerprint.algorithm} fingerprint "
                f"(expected {length} hex pairs separated by colons)"
            )


def codec_preferences(
    capabilities: Sequence[RTCRtpCodecCapability], preferred: Sequence[str] = VIDEO_CODECS
) -> list[RTCRtpCodecCapability]:
    """The capabilities of the `preferred` mime types in that order, then RTX for them."""
    ordered = [c for mime in preferred for c in capabilities if c.mimeType.lower() == mime]
    rtx = [c for c in capabilities if c.mimeType.lower() == "video/rtx"]
    return ordered + rtx


_MEDIA = re.compile(r"^m=(\w+) ", re.MULTILINE)
_RTPMAP = re.compile(r"^a=rtpmap:(\d+) ([\w-]+)/", re.IGNORECASE)
_FMTP = re.compile(r"^a=fmtp:(\d+) ?(.*)$")
_SKIP = {"rtx", "red", "ulpfec", "flexfec-03"}


@dataclass(frozen=True, slots=True)
class BitrateHints:
    start_kbps: int
    min_kbps: int
    max_kbps: int

    def params(self) -> str:
        return (
            f"x-google-start-bitrate={self.start_kbps};x-google-min-bitrate={self.min_kbps};"
            f"x-google-max-bitrate={self.max_kbps}"
        )


def add_bitrate_hints(sdp: str, hints: BitrateHints | None) -> str:
    """Append the hints to every video codec's fmtp line, adding one where there is none."""
    if hints is None:
        return sdp
    newline = "\r\n" if "\r\n" in sdp else "\n"
    out: list[str] = []
    in_video = False
    pending: dict[str, int] = {}  # payload type -> index of its rtpmap line in `out`
    fmtp_seen: set[str] = set()

    def flush() -> None:
        # Codecs of the section just ended that had no fmtp line get one after their rtpmap.
        for pt, index in sorted(pending.items(), key=lambda kv: -kv[1]):
            if pt not in fmtp_seen:
                out.insert(index + 1, f"a=fmtp:{pt} {hints.params()}")
        pending.clear()
        fmtp_seen.clear()

    for line in sdp.split(newline):
        if line.startswith("m="):
            flush()
            match = _MEDIA.match(line + " ")
            in_video = bool(match and match.group(1) == "video")
        elif in_video and (m := _RTPMAP.match(line)):
            if m.group(2).lower() not in _SKIP:
                pending[m.group(1)] = len(out)
        elif in_video and (m := _FMTP.match(line)) and m.group(1) in pending:
            fmtp_seen.add(m.group(1))
            sep = ";" if m.group(2) else ""
            line = f"{line}{sep}{hints.params()}"
        out.append(line)
    flush()
    return newline.join(out)
