"""Tracks: the same object from one live result to the next, with an id and a steady box.

A greedy IoU tracker in the manner of SORT/ByteTrack's association step, on boxes as
fractions of the frame (the camera's resolution may change mid-call). Each box is matched
to the track it overlaps most (food to food: the box the classifier calls a hot dog was a
"sandwich" a moment before, and is the same thing), its motion carried forward, and its
box smoothed while it keeps still (a still picture's box does not jitter; a moving one is
drawn where it was detected); a track that misses a result is held for HOLD results with
its last box, marked `held`, so one missed detection does not make a box vanish.

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

from seefood.detection.coco import FOOD_CLASS_IDS
from seefood.detection.result import DetectionJSON
from seefood.detection.verdict import iou

HOLD = 3  # results a track is shown for without a detection
MATCH_IOU = 0.3  # least overlap (with the track's predicted box) to be the same object
SMOOTHING = 0.6  # the new box's weight in the track's box, while it keeps still
STEADY_IOU = 0.8  # a box overlapping its track's this much has kept still
MOTION = 0.5  # the newest step's weight in the track's motion

Box = tuple[float, float, float, float]  # x, y, width, height as fractions of the frame


class TrackedJSON(DetectionJSON):
    """A live box on the data channel: the box, and which object it is."""

    track_id: int = Field(description="the same number for the same object across results")
    held: bool = Field(description="not detected in this frame: its track's box, held a moment")


@dataclass
class _Track:
    id: int
    detection: DetectionJSON
    box: Box
    motion: tuple[float, float] = (0.0, 0.0)  # centre's step per result
    misses: int = 0

    def predicted(self) -> Box:
        x, y, w, h = self.box
        return (x + self.motion[0], y + self.motion[1], w, h)


def _corners(box: Box) -> tuple[float, float, float, float]:
    x, y, w, h = box
    return (x, y, x + w, y + h)


def _kind(class_id: int) -> int:
    return -1 if class_id in FOOD_CLASS_IDS else class_id


def _overlaps(detections: Sequence[DetectionJSON], tracks: list[_Track]) -> NDArray[np.float64]:
    """IoU of every detection (rows) with every track's predicted box (columns); 0 where
    the kinds differ."""
    a = np.array([d.box_norm for d in detections], np.float64)
    b = np.array([t.predicted() for t in tracks], np.float64)
    x0 = np.maximum(a[:, None, 0], b[None, :, 0])
    y0 = np.maximum(a[:, None, 1], b[None, :, 1])
    x1 = np.minimum(a[:, None, 0] + a[:, None, 2], b[None, :, 0] + b[None, :, 2])
    y1 = np.minimum(a[:, None, 1] + a[:, None, 3], b[None, :, 1] + b[None, :, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    union = (a[:, 2] * a[:, 3])[:, None] + (b[:, 2] * b[:, 3])[None, :] - inter
    iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    kinds_a = np.array([_kind(d.class_id) for d in detections])
    kinds_b = np.array([_kind(t.detection.class_id) for t in tracks])
    result: NDArray[np.float64] = np.where(kinds_a[:, None] == kinds_b[None, :], iou, 0.0)
    return result


class Tracker:
    """One stream's tracks; `update` once per result, in order. Event loop only."""

    def __init__(self) -> None:
        self._tracks: list[_Track] = []
        self._next_id = 1

    def __len__(self) -> int:
        return len(self._tracks)

    def update(
        self, detections: Sequence[DetectionJSON], width: int, height: int
    ) -> list[TrackedJSON]:
        """This result's boxes with their tracks' ids and smoothed boxes, then the boxes of
        tracks held without a detection."""
        matched: dict[int, _Track] = {}
        if detections and self._tracks:
            overlaps = _overlaps(detections, self._tracks)
            same = np.array(
                [[d.class_id == t.detection.class_id for t in self._tracks] for d in detections]
            )
            # Greedy, best first: SORT's assignment without the Hungarian step, which
            # differs only when boxes crowd each other. A box of the track's own class
            # goes first: where a "sandwich" and the hot dog share a place, each keeps its own.
            rank = np.where(overlaps >= MATCH_IOU, overlaps + same, 0.0)
            taken: set[int] = set()
            for flat in np.argsort(-rank, axis=None):
                i, j = divmod(int(flat), rank.shape[1])
                if rank[i, j] <= 0:
                    break
                if i not in matched and j not in taken:
                    matched[i] = self._tracks[j]
                    taken.add(j)
        out: list[TrackedJSON] = []
        for i, detection in enumerate(detections):
            track = matched.get(i)
            if track is None:
                track = _Track(self._next_id, detection, _box(detection))
                self._next_id += 1
                self._tracks.append(track)
            else:
                _follow(track, detection)
            out.append(_shown(track, width, height, held=False))
        updated = {d.track_id for d in out}
        kept: list[_Track] = []
        for track in self._tracks:
            if track.id not in updated:
                track.misses += 1
                if track.misses > HOLD:
                    continue
                track.box = track.predicted()
                out.append(_shown(track, width, height, held=True))
            kept.append(track)
        self._tracks = kept
        return out


def _box(detection: DetectionJSON) -> Box:
    x, y, w, h = detection.box_norm
    return (x, y, w, h)


def _follow(track: _Track, detection: DetectionJSON) -> None:
    new, last = _box(detection), track.box
    step = (
        new[0] + new[2] / 2 - last[0] - last[2] / 2,
        new[1] + new[3] / 2 - last[1] - last[3] / 2,
    )
    old = track.predicted()  # with the motion so far
    track.motion = (
        MOTION * step[0] + (1 - MOTION) * track.motion[0],
        MOTION * step[1] + (1 - MOTION) * track.motion[1],
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
    track.misses = 0


def _shown(track: _Track, width: int, height: int, *, held: bool) -> TrackedJSON:
    x, y, w, h = track.box
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
