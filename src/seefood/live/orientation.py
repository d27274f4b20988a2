"""Video orientation (CVO, urn:3gpp:video-orientation): parse it, track it, undo it.

The extension is one byte, `0 0 0 0 C F R1 R0` (3GPP TS 26.114 section 7.4.5): C is the
camera (0 front, 1 back), F a horizontal flip, R the rotation, 0/90/180/270 degrees. A frame
is made upright by rotating it clockwise by R, as libwebrtc does. libwebrtc ignores F and
Chrome never sets it; seefood undoes it as TS 26.114 describes it, a mirror of the video as
sent, so: mirror first, then rotate. Chrome sends the byte only on key frames while it is
unchanged, so the tracker keeps the last value and which RTP timestamp it arrived with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seefood.pixels import turned
from seefood.types import RGBImage


@dataclass(frozen=True, slots=True)
class Orientation:
    rotation: int = 0  # degrees clockwise to turn the frame upright: 0, 90, 180, 270
    flip: bool = False  # mirror horizontally before rotating
    back_camera: bool = False

    @classmethod
    def from_byte(cls, value: int) -> Orientation:
        return cls(
            rotation=(value & 0b11) * 90, flip=bool(value & 0b100), back_camera=bool(value & 0b1000)
        )

    def to_byte(self) -> int:
        if self.rotation not in (0, 90, 180, 270):
            raise ValueError(f"rotation must be 0, 90, 180 or 270, not {self.rotation}")
        return (self.back_camera << 3) | (self.flip << 2) | (self.rotation // 90)

    def upright_size(self, width: int, height: int) -> tuple[int, int]:
        return (height, width) if self.rotation in (90, 270) else (width, height)


UPRIGHT = Orientation()


def make_upright(image: RGBImage, orientation: Orientation) -> RGBImage:
    """Flip and rotate clockwise as the orientation says (a copy only when needed)."""
    return turned(image, mirror=orientation.flip, quarter_turns=orientation.rotation // 90)


def rotate_away(image: RGBImage, orientation: Orientation) -> RGBImage:
    """The inverse of `make_upright`: what a sideways camera would send for an upright view."""
    if orientation.rotation:
        image = np.rot90(image, k=orientation.rotation // 90)
    if orientation.flip:
        image = image[:, ::-1]
    return np.ascontiguousarray(image)


def _newer(a: int, b: int) -> bool:
    """RTP timestamp a is at or after b, modulo 2**32 (RFC 3550 serial arithmetic)."""
    return ((a - b) & 0xFFFFFFFF) < 0x80000000


class OrientationTracker:
    """Remembers each stream's orientation by RTP timestamp, for frames decoded later."""

    def __init__(self, history: int = 64) -> None:
        self._history: list[tuple[int, Orientation]] = []  # (rtp timestamp, orientation)
        self._limit = history

    @property
    def current(self) -> Orientation:
        return self._history[-1][1] if self._history else UPRIGHT

    def record(self, timestamp: int, value: int | None) -> None:
        """Note the CVO byte of a packet (None: the packet carried no extension)."""
        if value is None:
            return
        orientation = Orientation.from_byte(value)
        if self._history:
            last_ts, last = self._history[-1]
            if not _newer(timestamp, last_ts):
                return  # a late or retransmitted packet must not undo a newer change
            if last == orientation:
                return
        self._history.append((timestamp, orientation))
        del self._history[: -self._limit]

    def at(self, timestamp: int) -> Orientation:
        """The orientation in force for a frame with this RTP timestamp."""
        for ts, orientation in reversed(self._history):
            if _newer(timestamp, ts):
                return orientation
        return self._history[0][1] if self._history else UPRIGHT
