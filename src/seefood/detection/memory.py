"""What the classifier saw of one live stream's food boxes in its last frames.

Consecutive frames of a camera show the same things in nearly the same places, so a frame
needs the classifier only on LIVE_CROPS of its food boxes, the others recalled from the
frames before: a box never seen first, else the one looked at longest ago. A hot dog in
view is then judged with one classifier run on the frame and one on its box, not six, and
one viewer keeps its frame rate.

A place's recalled look is the mean of its looks over the last MAX_AGE frames the models
saw, not the newest one: a compressed video frame now and then fools the classifier (a
bowl of macarons in blocky H.264 read as a 1% hot dog where the clean frames read 0.5%),
and one such look must not speak for the place for half a second. Looks also grow old
with the stream's own time (MAX_SECONDS): while unchanged frames are answered without the
models, twelve model frames can span seconds. Each stream has its own memory, and one
frame of a stream is in flight at a time (the requestor's rule), so it needs no lock.

A glance: while the stream's live verdict is settled (the session says so), a frame whose
boxes are all places looked at lately, and whose whole frame was looked at within
GLANCE_FRAMES frames, is judged from memory alone: the detector runs, the classifier rests.
A glance is not new evidence (the session does not count it), the places follow their boxes
as the camera moves, and a place looked at lately that left the view ends the glances.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from seefood.detection.verdict import Box, iou

LIVE_CROPS = 1  # crops classified anew per live frame
MAX_AGE = 12  # frames a look stays good for: half a second at 24 fps
MAX_SECONDS = 0.5  # ... and seconds of the stream's time
MATCH_IOU = 0.5  # a box this close to a remembered one is the same thing
GLANCE_FRAMES = 4  # frames a settled stream may go on looks this old (a full look in five)

Look = tuple[float, float]  # the classifier's p(hotdog), p(food)


@dataclass
class _Place:
    box: Box  # where it was last seen
    looks: list[tuple[Look, int, float]] = field(default_factory=list)  # look, frame, time


class CropMemory:
    def __init__(self) -> None:
        self._places: list[_Place] = []
        self._frame = 0
        self._whole: tuple[Look, int] | None = None  # the last look at the whole frame
        self.settled = False  # the session's word: its live verdict is settled
        self.at = 0.0  # the session's word: when the frame now seen arrived (its clock, seconds)
        self.glanced = False  # whether the last frame was judged from memory alone

    def __len__(self) -> int:
        """How many places it remembers."""
        return len(self._places)

    def next_frame(self) -> None:
        """A new frame, which arrived at `self.at`: looks too old for it are forgotten."""
        self._frame += 1
        for place in self._places:
            place.looks = [
                s
                for s in place.looks
                if self._frame - s[1] <= MAX_AGE and self.at - s[2] <= MAX_SECONDS
            ]
        self._places = [p for p in self._places if p.looks]

    def _find(self, box: Box) -> _Place | None:
        matches = [p for p in self._places if iou(box, p.box) >= MATCH_IOU]
        return max(matches, key=lambda p: p.looks[-1][1], default=None)

    def recall(self, box: Box) -> Look | None:
        """The mean of the recent looks at this place, if it was looked at lately; the
        place follows the box (a camera that pans moves every box a little each frame)."""
        place = self._find(box)
        if place is None:
            return None
        place.box = box
        return _mean(place)

    def remember_frame(self, look: Look) -> None:
        """The classifier's look at the whole frame."""
        self._whole = (look, self._frame)

    def glance(self, boxes: Sequence[Box]) -> tuple[Look, list[Look | None]] | None:
        """The whole frame's and each box's looks from memory (None: a box never seen),
        if the stream is settled, its whole frame was looked at within GLANCE_FRAMES and
        every place looked at that lately is still in view; else None: look again."""
        if not self.settled or self._whole is None:
            return None
        if self._frame - self._whole[1] > GLANCE_FRAMES:
            return None
        places = [self._find(box) for box in boxes]
        lately = [p for p in self._places if self._frame - p.looks[-1][1] <= GLANCE_FRAMES]
        if any(all(p is not q for q in places) for p in lately):
            return None  # something looked at lately left the view
        looks: list[Look | None] = []
        for place, box in zip(places, boxes, strict=True):
            if place is not None:
                place.box = box
            looks.append(_mean(place) if place is not None else None)
        return self._whole[0], looks

    def age(self, box: Box) -> int:
        """Frames since this place was last looked at (0 for a place never seen)."""
        place = self._find(box)
        return self._frame - place.looks[-1][1] if place is not None else 0

    def remember(self, box: Box, look: Look) -> None:
        place = self._find(box)
        if place is None:
            self._places.append(_Place(box, [(look, self._frame, self.at)]))
        else:
            place.box = box
            place.looks.append((look, self._frame, self.at))

    def adopt(self, other: CropMemory) -> None:
        """Take on what `other` remembers: this memory's copy, updated by a remote worker."""
        self._places, self._frame, self._whole = other._places, other._frame, other._whole
        self.glanced = other.glanced


def _mean(place: _Place) -> Look:
    n = len(place.looks)
    return (
        sum(look[0] for look, _, _ in place.looks) / n,
        sum(look[1] for look, _, _ in place.looks) / n,
    )
