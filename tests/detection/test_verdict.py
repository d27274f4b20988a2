"""The verdict stage on hand-made evidence: the score, the regions, the box it marks."""

import math

import pytest

from seefood.detection.result import Detection, DetectionResult
from seefood.detection.verdict import (
    DEFAULT_LINE,
    DETECTOR_WEIGHT,
    MAX_CROPS,
    Evidence,
    VerdictSource,
    crop_regions,
    judged,
    read,
    score,
    share,
)


def _food(x: float, y: float, w: float, h: float, cls: int = 48, s: float = 0.3) -> Detection:
    return Detection(cls, "sandwich" if cls == 48 else "hot dog", s, (x, y, w, h))


def test_score_is_half_at_the_fitted_point_and_grows_with_evidence() -> None:
    assert score(0.0, 0.3) == 0.0
    assert score(0.3, 0.3) == pytest.approx(0.5)
    assert score(0.6, 0.3) == pytest.approx(2 / 3)
    assert score(3.0, 0.3) == pytest.approx(10 / 11)
    assert score(0.1, 0.3) < score(0.2, 0.3) < 1.0


def test_the_food_prior_keeps_a_foodless_frame_from_making_a_share_of_nothing() -> None:
    assert share(0.5, 0.5) == pytest.approx(0.5 / 0.52)
    assert share(0.001, 0.002) < 0.05, "a room: tiny p(hotdog) over tiny p(food)"


def test_crops_are_squares_inside_the_image_one_per_place() -> None:
    food = [
        _food(10, 10, 40, 20),  # wide: a 40x40 square
        _food(12, 11, 38, 20),  # the same place again: merged
        _food(90, 60, 30, 30),  # at the edge: moved inside
        _food(0, 0, 1, 1),  # too small to look at
    ]
    regions = crop_regions(food, 100, 80)
    assert [r for _, r in regions] == [(10.0, 0.0, 50.0, 40.0), (70.0, 50.0, 100.0, 80.0)]
    many = [_food(i * 10.0, 0, 8, 8) for i in range(10)]
    assert len(crop_regions(many, 100, 80)) == MAX_CROPS


def test_each_source_reads_its_own_evidence() -> None:
    sandwich = _food(10, 10, 40, 40)
    evidence = Evidence(detector=0.3, frame=(0.01, 0.5), crops=[(sandwich, (0.6, 0.7))])
    assert read(evidence, VerdictSource.DETECTOR).score == 0.3
    classifier = read(evidence, VerdictSource.CLASSIFIER)
    assert classifier.score == pytest.approx(score(share(0.01, 0.5), DEFAULT_LINE.classifier))
    assert classifier.box is None, "the classifier alone looks at the whole frame"
    combined = read(evidence, VerdictSource.COMBINED)
    x = share(0.6, 0.7) * math.exp(DETECTOR_WEIGHT * 0.3)
    assert combined.score == pytest.approx(score(x, DEFAULT_LINE.combined))
    assert combined.box is sandwich and combined.food == 0.7
    assert combined.box_score == pytest.approx(combined.score)


def _result(detections: list[Detection]) -> DetectionResult:
    return DetectionResult(100, 80, detections, 0.0, 0.5)


def test_the_confirmed_region_is_marked_as_the_hot_dog() -> None:
    sandwich = _food(10, 10, 40, 40, cls=48, s=0.45)
    result = _result([sandwich])
    result = judged(
        result, Evidence(0.2, (0.05, 0.5), [(sandwich, (0.9, 0.92))]), VerdictSource.COMBINED, 0.5
    )
    assert result.verdict == "hotdog"
    [hotdog] = [d for d in result.detections if d.hotdog]
    assert hotdog.box == sandwich.box and hotdog.class_name == "hot dog"
    assert hotdog.score == pytest.approx(result.hotdog_score), "its own score, here the best"
    assert result.scores == {"detector": 0.2, "classifier": share(0.9, 0.92), "food": 0.92}


def test_a_box_the_classifier_rejects_is_not_the_hot_dog() -> None:
    """The detector says hot dog (0.4), the classifier sees pancakes: no hot-dog box."""
    detector_says = Detection(52, "hot dog", 0.4, (10, 10, 40, 40), hotdog=True)
    result = _result([detector_says])
    result = judged(
        result,
        Evidence(0.4, (0.0, 0.9), [(detector_says, (0.001, 0.95))]),
        VerdictSource.COMBINED,
        0.5,
    )
    assert result.verdict == "not_hotdog"
    assert result.detections == [], "no box says hot dog against the verdict"
    assert result.scores["detector"] == 0.4, "what the detector said is still there"


def test_a_region_below_the_reported_boxes_is_added_when_it_is_the_hot_dog() -> None:
    faint = _food(50, 20, 20, 20, cls=52, s=0.1)  # a candidate, not among the boxes shown
    result = _result([])
    result = judged(
        result, Evidence(0.1, (0.01, 0.3), [(faint, (0.8, 0.85))]), VerdictSource.COMBINED, 0.5
    )
    assert [(d.box, d.hotdog) for d in result.detections] == [(faint.box, True)]


def test_a_box_is_marked_even_when_the_whole_frame_counts_more() -> None:
    """A hot dog filling the photo: the frame's share beats the box's, both say hot dog."""
    box = _food(5, 5, 90, 70, cls=52, s=0.7)
    result = _result([box])
    result = judged(
        result, Evidence(0.7, (0.66, 0.75), [(box, (0.57, 0.67))]), VerdictSource.COMBINED, 0.5
    )
    [marked] = [d for d in result.detections if d.hotdog]
    assert marked.box == box.box and marked.score < result.hotdog_score
