"""Frames that have not changed: the last result stands for them, and the models rest.

A camera held still (a phone on a table, a webcam at a plate) sends the same picture
thirty times a second. Each received frame gets a small grey copy (THUMB pixels, by
libswscale: tens of microseconds), compared with the copy of the last frame the models
saw; under MAX_DIFF grey levels apart on average, the last result is sent again for the
new frame, marked `reused`, and the frame never reaches the broker. The models look again
at least every MAX_AGE seconds, so that a slow change (the light, a plate pushed
slowly) is seen, and the reference is always a frame they saw, so small steps add up
to a difference. A result stands for later frames only once its scene has been looked at
for SETTLE seconds: the first frames after a cut are the encoder's rough drafts of the new
picture (a hot dog that read 0.83 from its third frame read 0.45 and 0.43 on the first
two), and the first draft had stood for the next second, the old dish's verdict still
settled. A firm look (far from the line: FIRM in seefood.live.evidence) stands at once,
so that a cut between two clear dishes costs one look, not a third of a second of them.
A reused result is not new evidence: the live verdict does not count it, and results are
reused only while that verdict is settled (seefood.live.evidence), so a new dish, or one
near the line, gets a look every frame until it is decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

import av
import numpy as np
from numpy.typing import NDArray

THUMB = (32, 24)  # width, height of the grey copy
MAX_DIFF = 2.0  # mean absolute difference, in grey levels (of 255), that is "unchanged"
MAX_AGE = 1.0  # seconds a result may stand for later frames
SETTLE = 0.3  # seconds a new scene is looked at on every frame before a result stands for it

Thumbnail = NDArray[np.uint8]
R = TypeVar("R")


def thumbnail(frame: av.VideoFrame) -> Thumbnail:
    """The frame's small grey copy (its orientation aside: compared only with frames of the
    same size and orientation)."""
    grey = frame.reformat(THUMB[0], THUMB[1], format="gray").to_ndarray()
    return np.asarray(grey, dtype=np.uint8)


def difference(a: Thumbnail, b: Thumbnail) -> float:
    """Mean absolute difference in grey levels."""
    return float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16))))


@dataclass
class _Reference(Generic[R]):
    thumb: Thumbnail
    key: object  # the frame's size and orientation: another one is another picture
    result: R
    at: float  # when the models saw it (time.monotonic())


class Reuse(Generic[R]):
    """One stream's last fresh result, and whether a new frame may have it. Event loop only."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._reference: _Reference[R] | None = None
        self._looked: tuple[Thumbnail, object] | None = None  # the last frame the models saw
        self._scene_since = 0.0  # when the models first saw the scene of that frame
        self.reused = 0  # frames answered from an earlier result
        self.fresh = 0  # results the models made

    def remember(
        self, thumb: Thumbnail | None, key: object, result: R, now: float, *, firm: bool = False
    ) -> None:
        """A fresh result, for the frame whose copy is `thumb`: it stands for later frames
        once the frames looked at have shown this scene for SETTLE seconds, or at once if
        it is `firm` (its look read far from the line: a draft near it is looked at again)."""
        self.fresh += 1
        if thumb is None:
            return
        last = self._looked
        if last is None or last[1] != key or difference(thumb, last[0]) > MAX_DIFF:
            self._scene_since = now  # a new scene (or the first): looked at until it settles
        self._looked = (thumb, key)
        settled = firm or now - self._scene_since >= SETTLE
        self._reference = _Reference(thumb, key, result, now) if settled else None

    def lookup(self, thumb: Thumbnail, key: object, now: float) -> R | None:
        """The result that stands for this frame, or None: it needs the models."""
        ref = self._reference
        if (
            not self.enabled
            or ref is None
            or ref.key != key
            or now - ref.at > MAX_AGE
            or difference(thumb, ref.thumb) > MAX_DIFF
        ):
            return None
        self.reused += 1
        return ref.result
