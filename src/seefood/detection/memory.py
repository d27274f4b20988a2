"""What the classifier saw of one live stream's food boxes in its last frames.

Consecutive frames of a camera show the same things in nearly the same places, so a frame
needs the classifier only on LIVE_CROPS of its food boxes, the others recalled from the
frames before: a box never seen first, else the one looked at longest ago. A hot dog in view is then
judged with one classifier run on the frame and one on its box, not six, and one viewer
keeps its frame rate.

A place's recalled look is the mean of its looks over the last MAX_AGE frames, not the
newest one: a compressed video frame now and then fools the classifier (a bowl of macarons
in blocky H.264 read as a 1% hot dog where the clean frames read 0.5%), and one such look
must not speak for the place for half a second. Each stream has its own memory, and one
frame of a stream is in flight at a time (the requestor's rule), so it needs no lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from seefood.detection.verdict import Box, iou

LIVE_CROPS = 1  # crops classified anew per live frame
MAX_AGE = 12  # frames a look stays good for: half a second at 24 fps
MATCH_IOU = 0.5  # a box this close to a remembered one is the same thing

Look = tuple[float, float]  # the classifier's p(hotdog), p(food)


@dataclass
class _Place:
    box: Box  # where it was last seen
    looks: list[tuple[Look, int]] = field(default_factory=list)  # look, frame number


class CropMemory:
    def __init__(self) -> None:
        self._places: list[_Place] = []
        self._frame = 0

    def __len__(self) -> int:
        """How many places it remembers."""
        return len(self._places)

    def next_frame(self) -> None:
        self._frame += 1
        for place in self._places:
            place.looks = [s for s in place.looks if self._frame - s[1] <= MAX_AGE]
        self._places = [p for p in self._places if p.looks]

    def _find(self, box: Box) -> _Place | None:
        matches = [p for p in self._places if iou(box, p.box) >= MATCH_IOU]
        return max(matches, key=lambda p: p.looks[-1][1], default=None)

    def recall(self, box: Box) -> Look | None:
        """The mean of the recent looks at this place, if it was looked at lately."""
        place = self._find(box)
        if place is None:
            return None
        n = len(place.looks)
        return (
            sum(look[0] for look, _ in place.looks) / n,
            sum(look[1] for look, _ in place.looks) / n,
        )

    def age(self, box: Box) -> int:
        """Frames since this place was last looked at (0 for a place never seen)."""
        place = self._find(box)
        return self._frame - place.looks[-1][1] if place is not None else 0

    def remember(self, box: Box, look: Look) -> None:
        place = self._find(box)
        if place is None:
            self._places.append(_Place(box, [(look, self._frame)]))
        else:
            place.box = box
            place.looks.append((look, self._frame))

    def adopt(self, other: CropMemory) -> None:
        """Take on what `other` remembers: this memory's copy, updated by a remote worker."""
        self._places, self._frame = other._places, other._frame
