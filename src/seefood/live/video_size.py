"""The picture size a video stream declares, read from its bitstream before any decoder is.

A decoder allocates its picture buffers for the size the stream's headers say: H.264's
sequence parameter set (SPS), VP8's key-frame header. A 9 KB H.264 stream whose SPS claims
8192x8192 took a server 1 GB, so the size is read here first, from each encoded frame, and
a stream that declares more pixels than the limit is never decoded; and when a session
ends, what its decoder held goes back to the system (`release_memory`).
"""

from __future__ import annotations

import ctypes

from seefood.types import Size

DEFAULT_MAX_VIDEO_PIXELS = 1920 * 1088  # 1080p (in whole 16x16 macroblocks), either way up

# H.264 profiles whose SPS carries chroma format, bit depths and scaling matrices (7.3.2.1.1).
_HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}


class BitReader:
    """Big-endian bits of an RBSP, with the Exp-Golomb codes H.264 uses (9.1)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def bit(self) -> int:
        if self.pos >= 8 * len(self.data):
            raise ValueError("the SPS ends early")
        value = (self.data[self.pos >> 3] >> (7 - (self.pos & 7))) & 1
        self.pos += 1
        return value

    def bits(self, n: int) -> int:
        value = 0
        for _ in range(n):
            value = (value << 1) | self.bit()
        return value

    def ue(self) -> int:
        zeros = 0
        while self.bit() == 0:
            zeros += 1
            if zeros > 31:
                raise ValueError("an Exp-Golomb code longer than 32 bits")
        return (1 << zeros) - 1 + self.bits(zeros)

    def se(self) -> int:
        k = self.ue()
        return (k + 1) // 2 if k % 2 else -(k // 2)


def rbsp(nal: bytes) -> bytes:
    """A NAL unit's payload with its emulation-prevention bytes (00 00 03) taken out."""
    out = bytearray()
    zeros = 0
    for byte in nal:
        if zeros >= 2 and byte == 3:
            zeros = 0
            continue
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def _skip_scaling_list(reader: BitReader, size: int) -> None:
    last = next_ = 8
    for _ in range(size):
        if next_ != 0:
            next_ = (last + reader.se() + 256) % 256
        last = next_ or last


def sps_size(nal: bytes) -> Size:
    """The coded (width, height) of an SPS NAL unit (header byte included), before cropping:
    what a decoder allocates for. Raises ValueError if it is malformed."""
    return sps_layout(nal)[0]


def sps_layout(nal: bytes) -> tuple[Size, tuple[int, int]]:
    """The SPS's coded size, and where in its RBSP (in bits) the two size codes lie."""
    reader = BitReader(rbsp(nal[1:]))
    profile = reader.bits(8)
    reader.bits(16)  # constraint flags, level
    reader.ue()  # seq_parameter_set_id
    if profile in _HIGH_PROFILES:
        chroma_format = reader.ue()
        if chroma_format == 3:
            reader.bit()  # separate_colour_plane_flag
        reader.ue()  # bit_depth_luma_minus8
        reader.ue()  # bit_depth_chroma_minus8
        reader.bit()  # qpprime_y_zero_transform_bypass_flag
        if reader.bit():  # seq_scaling_matrix_present_flag
            for i in range(8 if chroma_format != 3 else 12):
                if reader.bit():
                    _skip_scaling_list(reader, 16 if i < 6 else 64)
    reader.ue()  # log2_max_frame_num_minus4
    poc_type = reader.ue()
    if poc_type == 0:
        reader.ue()  # log2_max_pic_order_cnt_lsb_minus4
    elif poc_type == 1:
        reader.bit()  # delta_pic_order_always_zero_flag
        reader.se()  # offset_for_non_ref_pic
        reader.se()  # offset_for_top_to_bottom_field
        for _ in range(min(reader.ue(), 255)):  # num_ref_frames_in_pic_order_cnt_cycle
            reader.se()
    reader.ue()  # max_num_ref_frames
    reader.bit()  # gaps_in_frame_num_value_allowed_flag
    start = reader.pos
    width_mbs = reader.ue() + 1
    height_units = reader.ue() + 1
    end = reader.pos
    frame_mbs_only = reader.bit()
    return (16 * width_mbs, 16 * height_units * (2 - frame_mbs_only)), (start, end)


def nal_units(annexb: bytes) -> list[bytes]:
    """The NAL units of an Annex B byte stream (start codes 00 00 01 or 00 00 00 01)."""
    units = []
    start = annexb.find(b"\x00\x00\x01")
    while start >= 0:
        begin = start + 3
        end = annexb.find(b"\x00\x00\x01", begin)
        unit = annexb[begin : end if end >= 0 else len(annexb)]
        units.append(unit.rstrip(b"\x00") if end >= 0 else unit)
        start = end
    return [u for u in units if u]


def h264_declared_size(annexb: bytes) -> Size | None:
    """The largest size an SPS in this encoded frame declares (None: it has no SPS).

    An SPS too malformed to read declares "too large": a decoder might read it otherwise.
    """
    sizes = []
    for unit in nal_units(annexb):
        if unit[0] & 0x1F == 7:
            try:
                sizes.append(sps_size(unit))
            except ValueError:
                sizes.append((1 << 16, 1 << 16))
    return max(sizes, key=lambda s: s[0] * s[1]) if sizes else None


def vp8_declared_size(frame: bytes) -> Size | None:
    """The size a VP8 key frame's header declares (RFC 6386, 9.1); None for other frames."""
    if len(frame) < 10 or frame[0] & 1:  # the frame tag's low bit is 0 on key frames
        return None
    if frame[3:6] != b"\x9d\x01\x2a":
        return (1 << 16, 1 << 16)  # a key frame without its start code: not to be decoded
    width = int.from_bytes(frame[6:8], "little") & 0x3FFF
    height = int.from_bytes(frame[8:10], "little") & 0x3FFF
    return width, height


def declared_size(codec: str, frame: bytes) -> Size | None:
    """The picture size an encoded frame of `codec` (aiortc's name: H264, VP8) declares."""
    if codec.upper() == "H264":
        return h264_declared_size(frame)
    if codec.upper() == "VP8":
        return vp8_declared_size(frame)
    return None


def too_large(width: int, height: int, limit: int) -> str:
    """Why a stream is closed for its size: one line for the person sending it."""
    return (
        f"the video is {width}x{height}, more than this server takes "
        f"({limit} pixels, SEEFOOD_MAX_VIDEO_PIXELS): send 1080p or less"
    )


try:  # glibc keeps freed memory in its arenas; malloc_trim hands it back to the system
    _libc: ctypes.CDLL | None = ctypes.CDLL("libc.so.6")
except OSError:  # not glibc (musl, macOS): nothing to trim
    _libc = None


def release_memory() -> None:
    """Return freed heap memory to the system (a session's decoder held 100+ MB)."""
    if _libc is not None:
        _libc.malloc_trim(0)
