"""Tracks over live results: one id per object, held through a missed result, smoothed."""

from __future__ import annotations

import random
import statistics
from typing import Any

from seefood.detection.result import Detection, DetectionJSON
from seefood.live.tracks import HOLD, Tracker

W, H = 640, 480


def det(
    name: str, class_id: int, x: float, y: float, w: float = 100, h: float = 80
) -> DetectionJSON:
    return Detection(class_id, name, 0.8, (x, y, w, h), hotdog=name == "hot dog").to_json(W, H)


def update(tracker: Tracker, detections: list[DetectionJSON]) -> list[dict[str, Any]]:
    """The tracked boxes as the data channel sends them."""
    return [d.model_dump() for d in tracker.update(detections, W, H)]


def test_an_object_keeps_its_id_as_it_moves_and_a_new_one_gets_its_own() -> None:
    tracker = Tracker()
    ids = []
    for step in range(20):  # 12 px a result to the right, as the suite's panning clip
        out = update(tracker, [det("cup", 41, 100 + 12 * step, 200)])
        ids.append(out[0]["track_id"])
    assert set(ids) == {ids[0]}
    moved = update(tracker, [det("cup", 41, 400, 200)])[0]
    assert moved["box"] == [400, 200, 100, 80], "a box that moved is drawn where it was seen"
    out = update(tracker, [det("cup", 41, 340, 200), det("cup", 41, 10, 10, 40, 40)])
    assert out[0]["track_id"] == ids[0] and out[1]["track_id"] not in ids


def test_a_missed_result_holds_the_box_then_it_goes() -> None:
    tracker = Tracker()
    first = update(tracker, [det("person", 0, 100, 100)])[0]
    held = [update(tracker, []) for _ in range(HOLD + 1)]
    assert all(out[0]["held"] and out[0]["track_id"] == first["track_id"] for out in held[:HOLD])
    assert held[HOLD] == [] and len(tracker) == 0
    again = update(tracker, [det("person", 0, 100, 100)])[0]
    assert again["track_id"] != first["track_id"] and not again["held"]


def test_a_box_that_comes_back_within_the_hold_keeps_its_id() -> None:
    tracker = Tracker()
    first = update(tracker, [det("dog", 16, 200, 150)])[0]
    update(tracker, [])
    back = update(tracker, [det("dog", 16, 204, 150)])[0]
    assert back["track_id"] == first["track_id"] and not back["held"]


def test_food_that_becomes_the_hot_dog_is_the_same_track_and_other_classes_are_not() -> None:
    tracker = Tracker()
    sandwich = update(tracker, [det("sandwich", 48, 200, 150)])[0]
    hotdog = update(tracker, [det("hot dog", 52, 202, 150)])[0]
    assert hotdog["track_id"] == sandwich["track_id"] and hotdog["hotdog"]
    cat = update(tracker, [det("hot dog", 52, 202, 150), det("cat", 15, 202, 150)])[1]
    assert cat["track_id"] != sandwich["track_id"]


def test_a_jittering_box_is_steadier_than_its_detections() -> None:
    rng = random.Random(7)
    tracker = Tracker()
    raw: list[float] = []
    shown: list[float] = []
    for _ in range(200):
        x = 300 + rng.gauss(0, 3)  # a detector's jitter: a few pixels
        raw.append(x)
        shown.append(update(tracker, [det("bowl", 45, x, 200)])[0]["box"][0])

    def spread(xs: list[float]) -> float:
        return statistics.pstdev(xs)

    assert spread(shown[20:]) < 0.8 * spread(raw[20:])
    assert abs(sum(shown[20:]) / 180 - 300) < 3, "and still where the object is"


def test_tracks_do_not_pile_up_on_a_busy_scene() -> None:
    """20 boxes scattered anew each result: every track goes after its hold."""
    rng = random.Random(3)
    tracker = Tracker()
    for _ in range(50):
        boxes = [det("person", 0, rng.uniform(0, 500), rng.uniform(0, 380)) for _ in range(20)]
        out = update(tracker, boxes)
        assert len(tracker) <= 20 * (HOLD + 1)
        assert sum(not d["held"] for d in out) == 20
    assert len({d["track_id"] for d in out}) == len(out)


def test_two_food_boxes_in_one_place_each_keep_their_own_track() -> None:
    """The detector's "sandwich" and the classifier's hot dog, on the same spot frame after
    frame, in either order: each stays its own track."""
    tracker = Tracker()
    ids: dict[str, set[int]] = {"hot dog": set(), "sandwich": set()}
    for step in range(10):
        boxes = [det("hot dog", 52, 200 + step, 150), det("sandwich", 48, 204 + step, 152)]
        for d in update(tracker, boxes[:: 1 if step % 2 else -1]):
            ids[d["class_name"]].add(d["track_id"])
    assert len(ids["hot dog"]) == 1 and len(ids["sandwich"]) == 1
    assert ids["hot dog"] != ids["sandwich"]
