"""What the classifier saw of one live stream's food boxes in its last frames.

Consecutive frames of a camera show the same things in nearly the same places, so a frame
needs the classifier only on the food boxes it has not looked at lately: LIVE_CROPS new
ones per frame, the others recalled from the frames before. A hot dog in view is then
judged with one classifier run on the frame and one on its box, not six, and one viewer
keeps its frame rate. Each stream has its own memory, and one frame of a stream is in
flight at a time (the requestor's rule), so it needs no lock.
"""

from __future__ import annotations

from seefood.detection.verdict import Box, iou

LIVE_CROPS = 1  # crops classified anew per live frame
MAX_AGE = 12  # frames a look stays good for: half a second at 24 fps
MATCH_IOU = 0.5  # a box this close to a remembered one is the same thing


class CropMemory:
    def __init__(self) -> None:
        self._seen: list[tuple[Box, tuple[float, float], int]] = []  # box, look, frame no.
        self._frame = 0

    def __len__(self) -> int:
        """How many places it remembers."""
        return len(self._seen)

    def next_frame(self) -> None:
        self._frame += 1
        self._seen = [s for s in self._seen if self._frame - s[2] <= MAX_AGE]

    def recall(self, box: Box) -> tuple[float, float] | None:
        """The freshest look at this place, if any is recent enough."""
        best = None
        for seen_box, look, frame in self._seen:
            if iou(box, seen_box) >= MATCH_IOU and (best is None or frame > best[1]):
                best = (look, frame)
        return best[0] if best is not None else None

    def remember(self, box: Box, look: tuple[float, float]) -> None:
        self._seen = [s for s in self._seen if iou(box, s[0]) < MATCH_IOU]
        self._seen.append((box, look, self._frame))
