"""H.264 streams that lie about their size: an SPS rewritten to declare another one."""

from __future__ import annotations

from seefood.live.video_size import BitReader, nal_units, rbsp, sps_layout


def _ue(value: int) -> str:
    code = bin(value + 1)[2:]
    return "0" * (len(code) - 1) + code


def _emulation_prevented(payload: bytes) -> bytes:
    out = bytearray()
    zeros = 0
    for byte in payload:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def resized_sps(nal: bytes, width: int, height: int) -> bytes:
    """The SPS NAL unit with its size codes replaced (frame_mbs_only streams)."""
    _, (start, end) = sps_layout(nal)
    payload = rbsp(nal[1:])
    reader = BitReader(payload)
    bits = "".join(str(reader.bit()) for _ in range(8 * len(payload)))
    bits = bits[: bits.rindex("1")]  # without the stop bit and its padding
    bits = bits[:start] + _ue(width // 16 - 1) + _ue(height // 16 - 1) + bits[end:] + "1"
    bits += "0" * (-len(bits) % 8)
    data = int(bits, 2).to_bytes(len(bits) // 8, "big")
    return nal[:1] + _emulation_prevented(data)


def declaring(annexb: bytes, width: int, height: int) -> bytes:
    """An Annex B stream with every SPS declaring `width` x `height`; slices left as they are."""
    units = [resized_sps(u, width, height) if u[0] & 0x1F == 7 else u for u in nal_units(annexb)]
    return b"".join(b"\x00\x00\x00\x01" + u for u in units)
