"""Bitrate hints in the SDP answer, so that Chrome starts sending at a useful rate.

aiortc sends only REMB feedback; Chrome then starts at ~300 kbps and takes ~25 s to reach
720p. Chrome reads `x-google-{start,min,max}-bitrate` (kbps) from the answer's fmtp lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MEDIA = re.compile(r"^m=(\w+) ", re.MULTILINE)
_RTPMAP = re.compile(r"^a=rtpmap:(\d+) ([\w-]+)/", re.IGNORECASE)
_FMTP = re.compile(r"^a=fmtp:(\d+) ?(.*)$")
_SKIP = {"rtx", "red", "ulpfec", "flexfec-03"}


@dataclass(frozen=True, slots=True)
class BitrateHints:
    start_kbps: int = 1000
    min_kbps: int = 300
    max_kbps: int = 2500

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
