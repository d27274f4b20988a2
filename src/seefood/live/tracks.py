"""Tracks: the same object from one live result to the next, with an id and a steady box.

A greedy IoU tracker in the manner of SORT/ByteTrack's association step, on boxes as
fractions of the frame (the camera's resolution may change mid-call). Each box is matched
to the track it overlaps most (food to food: the box the classifier calls a hot dog was a
"sandwich" a moment before, and is the same thing), its motion carried forward, and its
box smoothed while it keeps still (a still picture's box does not jitter; a moving one is
drawn where it was detected); a track that misses a result is held for HOLD results with
its last box, marked `held`, so one missed detection does not make a box vanish.

Motion is per second of the frames' own time, not per result: a busy server infers fewer
of a camera's frames, and the object moves further between two of them. Overlap is taken
with the track's predicted box or its last seen one, whichever is more (as OC-SORT leans on
the last observation): an object that turns back is where it was, not where it was going.
What is left unmatched after that is matched by distance, 1.5 track sizes at most, class
to class: ByteTrack's second round, for an object that moved further than its overlap
allows between two results (a fast pan on a busy server).

Why not a library: Roboflow's `trackers` needs `opencv-python` (the GUI build, which
needs libGL and clashes with our `opencv-python-headless` over the `cv2` module) and
`supervision`; `norfair` caps numpy below 2 and rich below 15 (both downgrades here) and
needs `filterpy`. What seefood needs of them is the association step, which is this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from pydantic import Field

from seefood.detection.coco import COCO_CLASSES, FOOD_CLASS_IDS
from seefood.detection.result import DetectionJSON
from seefood.detection.verdict import iou
from seefood.live.assignment import distances, greedy, ious
from seefood.live.evidence import LiveVerdict

HOLD = 3  # results a track is shown for without a detection
MATCH_IOU = 0.3  # least overlap (with the track's predicted or last box) to be the same object
NEAR = 1.5  # by distance: the most a centre moves between two results, in its larger sides
SMOOTHING = 0.6  # the new box's weight in the track's box, while it keeps still
STEADY_IOU = 0.8  # a box overlapping its track's this much has kept still
MOTION = 0.5  # the newest step's weight in the track's motion
AHEAD = 0.5  # seconds a track's motion is carried forward at most (further is a guess)
MIN_STEP = 1 / 120  # seconds: two frames closer in time than this give no speed

Box = tuple[float, float, float, float]  # x, y, width, height as fractions of the frame
_FOOD = np.isin(np.arange(len(COCO_CLASSES)), sorted(FOOD_CLASS_IDS))  # by class id


class TrackedJSON(DetectionJSON):
    """A live box on the data channel: the box, and which object it is."""

    track_id: int = Field(description="the same number for the same object across results")
    held: bool = Field(description="not detected in this frame: its track's box, held a moment")
    evidence: float | None = Field(
        description="this object's hot-dog evidence over its own looks, in log-odds (as the "
        "stream's `live.evidence`; 3 and above: a hot dog); null until the classifier looked "
        "at it alone"
    )


@dataclass
class _Track:
    id: int
    detection: DetectionJSON
    box: Box  # as last seen, smoothed
    seen: float  # the frame time it was seen at, seconds
    motion: tuple[float, float] = (0.0, 0.0)  # the centre's, per second
    misses: int = 0
    evidence: LiveVerdict = field(default_factory=LiveVerdict)  # over this object's looks

    def predicted(self, at: float) -> Box:
        x, y, w, h = self.box
        ahead = min(max(at - self.seen, 0.0), AHEAD)
        return (x + self.motion[0] * ahead, y + self.motion[1] * ahead, w, h)


def _corners(box: Box) -> tuple[float, float, float, float]:
    x, y, w, h = box
    return (x, y, x + w, y + h)


def _match(
    detections: Sequence[DetectionJSON], tracks: list[_Track], at: float, size: tuple[int, int]
) -> dict[int, _Track]:
    """Each detection's track, where it has one: the pairs of the track's own class first,
    by overlap, then by distance; then food to food, by overlap. A hot dog that jumped
    past its overlap is its own track, not the pizza the detector also saw in that place."""
    if not detections or not tracks:
        return {}
    n = len(tracks)
    found = np.array([d.box_norm for d in detections], np.float64)
    boxes = np.array([t.predicted(at) for t in tracks] + [t.box for t in tracks], np.float64)
    both = ious(found, boxes)  # with the predicted boxes and the last ones, in one go
    overlaps = np.maximum(both[:, :n], both[:, n:])
    far_both = distances(found, boxes, size)
    far = np.minimum(far_both[:, :n], far_both[:, n:])
    classes = np.array([d.class_id for d in detections])[:, None]
    tracked = np.array([t.detection.class_id for t in tracks])[None, :]
    same = classes == tracked
    alike = same | (_FOOD[classes] & _FOOD[tracked])
    close = overlaps >= MATCH_IOU
    # One greedy pass, best first (SORT's assignment without the Hungarian step, which
    # differs only when boxes crowd each other), over three tiers of rank.
    rank = np.where(alike & close, 1 + overlaps, 0.0)
    rank = np.where(same & (far <= NEAR), 2.99 - 0.99 * far / NEAR, rank)
    rank = np.where(same & close, 3 + overlaps, rank)
    return {i: tracks[j] for i, j in greedy(rank).items()}


class Tracker:
    """One stream's tracks; `update` once per result, in order. Event loop only."""

    def __init__(self) -> None:
        self._tracks: list[_Track] = []
        self._next_id = 1

    def __len__(self) -> int:
        return len(self._tracks)

    def update(
        self,
        detections: Sequence[DetectionJSON],
        width: int,
        height: int,
        at: float,
        looks: Sequence[float | None] = (),
        threshold: float = 0.5,
    ) -> list[TrackedJSON]:
        """This result's boxes (of the frame at time `at`, seconds) with their tracks' ids,
        smoothed boxes and evidence, then the boxes of tracks held without a detection.
        `looks` (one per detection, or none) are the verdict's scores on each box alone
        (hotdog from `threshold` up): each adds to its track's evidence. A box marked the
        hot dog whose own track's looks say it is not is left out: one frame's pick of the
        classifier does not make an object the hot dog."""
        matched = _match(detections, self._tracks, at, (width, height))
        out: list[TrackedJSON] = []
        updated: set[int] = set()
        for i, detection in enumerate(detections):
            track = matched.get(i)
            if track is None:
                track = _Track(self._next_id, detection, _box(detection), at)
                self._next_id += 1
                self._tracks.append(track)
            else:
                _follow(track, detection, at)
            updated.add(track.id)
            look = looks[i] if i < len(looks) else None
            if look is not None:
                track.evidence.look(look, threshold, at)
            if _denied(track):
                continue
            out.append(_shown(track, track.box, width, height, held=False))
        # The engine marks one hot dog a frame, so one is shown: this frame's own, else the
        # one seen last (others are its former boxes: the classifier's pick moved).
        hotdogs = [
            t for t in self._tracks if t.detection.hotdog and t.misses < HOLD and not _denied(t)
        ]
        shown_hotdog = max(hotdogs, key=lambda t: (t.id in updated, t.seen), default=None)
        kept: list[_Track] = []
        for track in self._tracks:
            if track.id not in updated:
                track.misses += 1
                if track.misses > HOLD:
                    continue
                if not track.detection.hotdog or track is shown_hotdog:
                    out.append(_shown(track, track.predicted(at), width, height, held=True))
            kept.append(track)
        self._tracks = kept
        return out


def _denied(track: _Track) -> bool:
    """Marked the hot dog by the engine, but called no hot dog by its own looks: neither
    shown nor held as the hot dog."""
    return track.detection.hotdog and track.evidence.verdict == "not_hotdog"


def _box(detection: DetectionJSON) -> Box:
    x, y, w, h = detection.box_norm
    return (x, y, w, h)


def _follow(track: _Track, detection: DetectionJSON, at: float) -> None:
    new, last = _box(detection), track.box
    step = (
        new[0] + new[2] / 2 - last[0] - last[2] / 2,
        new[1] + new[3] / 2 - last[1] - last[3] / 2,
    )
    took = at - track.seen
    old = track.predicted(at)  # with the motion so far
    if took >= MIN_STEP:  # not a frame older than the last (results may cross), nor its twin
        track.motion = (
            MOTION * step[0] / took + (1 - MOTION) * track.motion[0],
            MOTION * step[1] / took + (1 - MOTION) * track.motion[1],
        )
    # Smoothed only while it stays put (jitter): a box that moved is shown where it is,
    # so that a box drawn on its own frame (the aligned view) is that frame's.
    a = SMOOTHING if iou(_corners(new), _corners(old)) >= STEADY_IOU else 1.0
    track.box = (
        a * new[0] + (1 - a) * old[0],
        a * new[1] + (1 - a) * old[1],
        a * new[2] + (1 - a) * old[2],
        a * new[3] + (1 - a) * old[3],
    )
    track.detection = detection
    track.seen = max(at, track.seen)  # a result that arrives late does not turn time back
    track.misses = 0


def _shown(track: _Track, box: Box, width: int, height: int, *, held: bool) -> TrackedJSON:
    x, y, w, h = box
    # Built from a box already checked, so not validated again (a result makes several).
    return TrackedJSON.model_construct(
        **{
            **dict(track.detection),
            "box": [x * width, y * height, w * width, h * height],
            "box_norm": [x, y, w, h],
        },
        track_id=track.id,
        held=held,
        evidence=round(track.evidence.evidence, 3) if track.evidence.looks else None,
    )
