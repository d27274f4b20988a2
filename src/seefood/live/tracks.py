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
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from seefood.detection.coco import COCO_CLASSES, FOOD_CLASS_IDS
from seefood.detection.result import DetectionJSON
from seefood.detection.verdict import iou

HOLD = 3  # results a track is shown for without a detection
MATCH_IOU = 0.3  # least overlap (with the track's predicted or last box) to be the same object
NEAR = 1.5  # by distance: the most a centre moves between two results, in its larger sides
SIZE_RATIO = 2.0  # by distance: the most an area changes between two results
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


@dataclass
class _Track:
    id: int
    detection: DetectionJSON
    box: Box  # as last seen, smoothed
    seen: float  # the frame time it was seen at, seconds
    motion: tuple[float, float] = (0.0, 0.0)  # the centre's, per second
    misses: int = 0

    def predicted(self, at: float) -> Box:
        x, y, w, h = self.box
        ahead = min(max(at - self.seen, 0.0), AHEAD)
        return (x + self.motion[0] * ahead, y + self.motion[1] * ahead, w, h)


def _corners(box: Box) -> tuple[float, float, float, float]:
    x, y, w, h = box
    return (x, y, x + w, y + h)


def _ious(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """IoU of every box in `a` (rows) with every box in `b` (columns), x, y, w, h."""
    x0 = np.maximum(a[:, None, 0], b[None, :, 0])
    y0 = np.maximum(a[:, None, 1], b[None, :, 1])
    x1 = np.minimum(a[:, None, 0] + a[:, None, 2], b[None, :, 0] + b[None, :, 2])
    y1 = np.minimum(a[:, None, 1] + a[:, None, 3], b[None, :, 1] + b[None, :, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    union = (a[:, 2] * a[:, 3])[:, None] + (b[:, 2] * b[:, 3])[None, :] - inter
    result: NDArray[np.float64] = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    return result


def _distances(
    a: NDArray[np.float64], b: NDArray[np.float64], size: tuple[int, int]
) -> NDArray[np.float64]:
    """How far each box in `a` is from each in `b`, centre to centre, in `b`'s larger
    side (in pixels of a frame of `size`); infinite where their areas differ more than
    SIZE_RATIO."""
    scale = np.array([*size, *size], np.float64)
    a, b = a * scale, b * scale
    ca, cb = a[:, :2] + a[:, 2:] / 2, b[:, :2] + b[:, 2:] / 2
    far = np.hypot(ca[:, None, 0] - cb[None, :, 0], ca[:, None, 1] - cb[None, :, 1])
    far /= np.maximum(b[:, 2:].max(axis=1), 1e-9)
    areas = (a[:, 2] * a[:, 3])[:, None] / np.maximum(b[:, 2] * b[:, 3], 1e-12)
    far[(areas > SIZE_RATIO) | (areas < 1 / SIZE_RATIO)] = np.inf
    return far


def _greedy(rank: NDArray[np.float64]) -> dict[int, int]:
    """Rows to columns, best (highest) first, each at most once; rank <= 0 never."""
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for flat in np.argsort(-rank, axis=None):
        i, j = divmod(int(flat), rank.shape[1])
        if rank[i, j] <= 0:
            break
        if i not in pairs and j not in taken:
            pairs[i] = j
            taken.add(j)
    return pairs


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
    both = _ious(found, boxes)  # with the predicted boxes and the last ones, in one go
    overlaps = np.maximum(both[:, :n], both[:, n:])
    far_both = _distances(found, boxes, size)
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
    return {i: tracks[j] for i, j in _greedy(rank).items()}


class Tracker:
    """One stream's tracks; `update` once per result, in order. Event loop only."""

    def __init__(self) -> None:
        self._tracks: list[_Track] = []
        self._next_id = 1

    def __len__(self) -> int:
        return len(self._tracks)

    def update(
        self, detections: Sequence[DetectionJSON], width: int, height: int, at: float
    ) -> list[TrackedJSON]:
        """This result's boxes (of the frame at time `at`, seconds) with their tracks' ids
        and smoothed boxes, then the boxes of tracks held without a detection."""
        matched = _match(detections, self._tracks, at, (width, height))
        out: list[TrackedJSON] = []
        for i, detection in enumerate(detections):
            track = matched.get(i)
            if track is None:
                track = _Track(self._next_id, detection, _box(detection), at)
                self._next_id += 1
                self._tracks.append(track)
            else:
                _follow(track, detection, at)
            out.append(_shown(track, track.box, width, height, held=False))
        updated = {d.track_id for d in out}
        # The engine marks one hot dog a frame, so one is shown: this frame's own, else the
        # one seen last (others are its former boxes: the classifier's pick moved).
        hotdogs = [t for t in self._tracks if t.detection.hotdog and t.misses < HOLD]
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
    )
