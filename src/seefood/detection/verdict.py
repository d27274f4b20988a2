"""The verdict: one hot-dog score from what the detector and the classifier saw.

The classifier (ImageNet, class 934 "hotdog") knows hot dogs far better than the COCO
detector, but its raw probability is weak: it shares it out over every food it sees. So its
evidence is the *hot-dog share of the food*, p(hotdog) / (p(food) + FOOD_PRIOR), looked at
on the whole frame and on square crops of the food the detector found, so that a small hot
dog far away gets a look of its own. The prior keeps a frame with almost no food (a room, a
face) from making a share out of nothing. The detector's own hot-dog score then weighs in:

    x = max(share over the regions) * exp(DETECTOR_WEIGHT * detector score)

and the reported score is x / (x + x0): 0.5 exactly where x reaches x0, the threshold fitted
on the dev photos (scripts/fit_verdict.py), so `hotdog` means score >= 0.5; ten times the
evidence needed reads 0.91.

Sources (SEEFOOD_VERDICT): `combined` (the above), `classifier` (the whole frame's share
alone, with its own x0) and `detector` (the detector's hot-dog score, as before).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from seefood.detection.coco import HOTDOG_CLASS_ID
from seefood.detection.result import Detection, DetectionResult

FOOD_PRIOR = 0.02  # probability mass of food assumed on top of what the classifier sees
DETECTOR_WEIGHT = 4.0  # a detector score of 0.25 multiplies the share by e
MAX_CROPS = 5  # food regions looked at besides the whole frame
MERGE_IOU = 0.6  # crops overlapping this much are one region (a sandwich that is a hot dog)


@dataclass(frozen=True)
class Line:
    """Where the score is 0.5, for the combined and the classifier-only verdict: fitted by
    scripts/fit_verdict.py on ../shared/data/hotdog-dev at 3% false alarms on its other
    food, for each shipped classifier (see the README for the cross-validated figures)."""

    combined: float
    classifier: float


LINES = {
    "efficientnet-lite2-int8.onnx": Line(0.2584, 0.08174),  # the default
    "efficientnet-lite2.onnx": Line(0.2755, 0.0778),
}
DEFAULT_LINE = LINES["efficientnet-lite2-int8.onnx"]


def line_for(classifier_file: str) -> Line:
    """The fitted line of a shipped classifier; the default's for any other file."""
    return LINES.get(classifier_file, DEFAULT_LINE)


DETECTOR_THRESHOLD = 0.25  # the detector's hot-dog score, as chosen before the classifier


class VerdictSource(StrEnum):
    COMBINED = "combined"
    CLASSIFIER = "classifier"
    DETECTOR = "detector"


DEFAULT_THRESHOLDS = {
    VerdictSource.COMBINED: 0.5,
    VerdictSource.CLASSIFIER: 0.5,
    VerdictSource.DETECTOR: DETECTOR_THRESHOLD,
}

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass
class Evidence:
    """What the models said about one image."""

    detector: float  # the detector's best hot-dog score
    frame: tuple[float, float]  # the classifier on the whole frame: p(hotdog), p(food)
    crops: list[tuple[Detection, tuple[float, float]]] = field(default_factory=list)


def share(p_hotdog: float, p_food: float) -> float:
    """The classifier's hot-dog share of the food it sees."""
    return p_hotdog / (p_food + FOOD_PRIOR)


def score(x: float, x0: float) -> float:
    """0 for no evidence, 0.5 at x0, towards 1 beyond."""
    return x / (x + x0)


def crop_regions(food: Sequence[Detection], width: int, height: int) -> list[tuple[Detection, Box]]:
    """Square crops (the box's longer side, moved inside the image) of the best food boxes,
    one per place: a box overlapping an earlier one by MERGE_IOU adds no region."""
    regions: list[tuple[Detection, Box]] = []
    for det in food:  # best first
        x, y, w, h = det.box
        side = max(w, h)
        x0 = min(max(x + w / 2 - side / 2, 0.0), max(width - side, 0.0))
        y0 = min(max(y + h / 2 - side / 2, 0.0), max(height - side, 0.0))
        square = (x0, y0, min(x0 + side, width), min(y0 + side, height))
        if square[2] - square[0] < 2 or square[3] - square[1] < 2:
            continue
        if any(iou(square, other) > MERGE_IOU for _, other in regions):
            continue
        regions.append((det, square))
        if len(regions) == MAX_CROPS:
            break
    return regions


@dataclass(frozen=True)
class Reading:
    """One source's reading of the evidence."""

    score: float  # 0.5 at the source's default threshold
    share: float  # the classifier's hot-dog share of the region that counted most
    food: float  # that region's food mass
    box: Detection | None = None  # the food box the classifier likes best
    box_score: float = 0.0  # what the score would be on that box alone
    boxes: tuple[tuple[Detection, float], ...] = ()  # each box looked at, with that score


def read(evidence: Evidence, source: VerdictSource, line: Line = DEFAULT_LINE) -> Reading:
    frame_share = share(*evidence.frame)
    if source is VerdictSource.DETECTOR:
        return Reading(evidence.detector, frame_share, evidence.frame[1])
    if source is VerdictSource.CLASSIFIER:
        return Reading(score(frame_share, line.classifier), frame_share, evidence.frame[1])
    boost = math.exp(DETECTOR_WEIGHT * evidence.detector)
    best_share, best_food = frame_share, evidence.frame[1]
    box, box_share = None, 0.0
    boxes = []
    for det, (p_hotdog, p_food) in evidence.crops:
        crop_share = share(p_hotdog, p_food)
        boxes.append((det, score(crop_share * boost, line.combined)))
        if crop_share > box_share:
            box, box_share = det, crop_share
        if crop_share > best_share:
            best_share, best_food = crop_share, p_food
    return Reading(
        score(best_share * boost, line.combined),
        best_share,
        best_food,
        box,
        score(box_share * boost, line.combined),
        tuple(boxes),
    )


def judged(
    detected: DetectionResult,
    evidence: Evidence,
    source: VerdictSource,
    threshold: float,
    line: Line = DEFAULT_LINE,
) -> DetectionResult:
    """The detector's result with the verdict's score, threshold, what each model said, and
    which box is the hot dog: the food box the classifier likes best, if the verdict would
    be hotdog on it alone."""
    reading = read(evidence, source, line)
    # The hot dog on screen is a box the classifier confirmed, never one it did not: the
    # detector's own hot-dog boxes go (its score stays in `scores`), a confirmed one returns.
    looked = {(d.box, d.class_id): s for d, s in reading.boxes}
    # Only the few boxes looked at are copied (a result has up to 100).
    detections = [
        d if (s := looked.get((d.box, d.class_id))) is None else replace(d, looked=s)
        for d in detected.detections
        if not d.hotdog
    ]
    box = reading.box
    if box is not None and reading.score >= threshold and reading.box_score >= threshold:
        detections = _marked(detections, box, reading.box_score)
    return replace(
        detected,
        detections=detections,
        hotdog_score=reading.score,
        threshold=threshold,
        scores={"detector": evidence.detector, "classifier": reading.share, "food": reading.food},
    )


def _marked(detections: list[Detection], region: Detection, confidence: float) -> list[Detection]:
    hotdog = Detection(HOTDOG_CLASS_ID, "hot dog", confidence, region.box, True, confidence)
    for i, det in enumerate(detections):
        if det.box == region.box and det.class_id == region.class_id:
            return [*detections[:i], hotdog, *detections[i + 1 :]]
    return [hotdog, *detections]


def iou(a: Box, b: Box) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0
