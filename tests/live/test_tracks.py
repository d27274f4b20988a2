"""Tracks over live results: one id per object, held through a missed result, smoothed."""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass, field
from typing import Any

from seefood.detection.result import Detection, DetectionJSON
from seefood.live.tracks import HOLD, Tracker

W, H = 640, 480


def det(
    name: str, class_id: int, x: float, y: float, w: float = 100, h: float = 80
) -> DetectionJSON:
    return Detection(class_id, name, 0.8, (x, y, w, h), hotdog=name == "hot dog").to_json(W, H)


FRAME = 1 / 30  # seconds between two results' frames, unless a test says otherwise


@dataclass
class Stream:
    """One stream's tracker, and its frames' clock."""

    tracker: Tracker = field(default_factory=Tracker)
    at: float = 0.0

    def update(self, detections: list[DetectionJSON], after: float = FRAME) -> list[dict[str, Any]]:
        """The tracked boxes as the data channel sends them, for a frame `after` seconds
        after the last one."""
        self.at += after
        return [d.model_dump() for d in self.tracker.update(detections, W, H, self.at)]


def test_an_object_keeps_its_id_as_it_moves_and_a_new_one_gets_its_own() -> None:
    tracker = Stream()
    ids = []
    for step in range(20):  # 12 px a result to the right, as the suite's panning clip
        out = tracker.update([det("cup", 41, 100 + 12 * step, 200)])
        ids.append(out[0]["track_id"])
    assert set(ids) == {ids[0]}
    moved = tracker.update([det("cup", 41, 400, 200)])[0]
    assert moved["box"] == [400, 200, 100, 80], "a box that moved is drawn where it was seen"
    out = tracker.update([det("cup", 41, 340, 200), det("cup", 41, 10, 10, 40, 40)])
    assert out[0]["track_id"] == ids[0] and out[1]["track_id"] not in ids


def test_a_missed_result_holds_the_box_then_it_goes() -> None:
    tracker = Stream()
    first = tracker.update([det("person", 0, 100, 100)])[0]
    held = [tracker.update([]) for _ in range(HOLD + 1)]
    assert all(out[0]["held"] and out[0]["track_id"] == first["track_id"] for out in held[:HOLD])
    assert held[HOLD] == [] and len(tracker.tracker) == 0
    again = tracker.update([det("person", 0, 100, 100)])[0]
    assert again["track_id"] != first["track_id"] and not again["held"]


def test_a_box_that_comes_back_within_the_hold_keeps_its_id() -> None:
    tracker = Stream()
    first = tracker.update([det("dog", 16, 200, 150)])[0]
    tracker.update([])
    back = tracker.update([det("dog", 16, 204, 150)])[0]
    assert back["track_id"] == first["track_id"] and not back["held"]


def test_food_that_becomes_the_hot_dog_is_the_same_track_and_other_classes_are_not() -> None:
    tracker = Stream()
    sandwich = tracker.update([det("sandwich", 48, 200, 150)])[0]
    hotdog = tracker.update([det("hot dog", 52, 202, 150)])[0]
    assert hotdog["track_id"] == sandwich["track_id"] and hotdog["hotdog"]
    cat = tracker.update([det("hot dog", 52, 202, 150), det("cat", 15, 202, 150)])[1]
    assert cat["track_id"] != sandwich["track_id"]


def test_a_frame_shows_one_hot_dog_even_when_the_pick_moved_to_another_box() -> None:
    """The classifier's pick moves from one food box to a bigger one around it (a 4K hot
    dog on a busy server did): the former hot dog is not held beside the new one."""
    stream = Stream()
    stream.update([det("hot dog", 52, 200, 150), det("sandwich", 48, 100, 60, 400, 300)])
    out = stream.update([det("hot dog", 52, 100, 60, 400, 300)])
    assert [d["box"] for d in out if d["hotdog"]] == [[100, 60, 400, 300]]
    others = stream.update([det("cup", 41, 10, 10)])  # no hot dog of its own: held as it was
    assert [d["held"] for d in others if d["hotdog"]] == [True]


def test_a_jittering_box_is_steadier_than_its_detections() -> None:
    rng = random.Random(7)
    tracker = Stream()
    raw: list[float] = []
    shown: list[float] = []
    for _ in range(200):
        x = 300 + rng.gauss(0, 3)  # a detector's jitter: a few pixels
        raw.append(x)
        shown.append(tracker.update([det("bowl", 45, x, 200)])[0]["box"][0])

    def spread(xs: list[float]) -> float:
        return statistics.pstdev(xs)

    assert spread(shown[20:]) < 0.8 * spread(raw[20:])
    assert abs(sum(shown[20:]) / 180 - 300) < 3, "and still where the object is"


def test_tracks_do_not_pile_up_on_a_busy_scene() -> None:
    """20 boxes scattered anew each result: every track goes after its hold."""
    rng = random.Random(3)
    tracker = Stream()
    for _ in range(50):
        boxes = [det("person", 0, rng.uniform(0, 500), rng.uniform(0, 380)) for _ in range(20)]
        out = tracker.update(boxes)
        assert len(tracker.tracker) <= 20 * (HOLD + 1)
        assert sum(not d["held"] for d in out) == 20
    assert len({d["track_id"] for d in out}) == len(out)


def test_two_food_boxes_in_one_place_each_keep_their_own_track() -> None:
    """The detector's "sandwich" and the classifier's hot dog, on the same spot frame after
    frame, in either order: each stays its own track."""
    tracker = Stream()
    ids: dict[str, set[int]] = {"hot dog": set(), "sandwich": set()}
    for step in range(10):
        boxes = [det("hot dog", 52, 200 + step, 150), det("sandwich", 48, 204 + step, 152)]
        for d in tracker.update(boxes[:: 1 if step % 2 else -1]):
            ids[d["class_name"]].add(d["track_id"])
    assert len(ids["hot dog"]) == 1 and len(ids["sandwich"]) == 1
    assert ids["hot dog"] != ids["sandwich"]


def _pan(step: float, results: int) -> list[float]:
    """Where the suite's panning clip puts its photo (256 px wide, 384 px of travel) in
    results `step` px of its travel apart, there and back."""
    xs, x, direction = [], 0.0, 1
    for _ in range(results):
        xs.append(x)
        if not 0 <= x + direction * step <= 384:
            direction = -direction
        x += direction * step
    return xs


def test_a_hot_dog_that_turns_back_keeps_its_id_on_a_busy_server() -> None:
    """Results 9 frames apart (a busy server's), 108 px a result: each turn at the edge
    is far from where the motion so far predicts, and near where it was last."""
    tracker = Stream()
    ids = {
        tracker.update([det("hot dog", 52, x, 120, 256, 192)], after=9 / 30)[0]["track_id"]
        for x in _pan(108, 40)
    }
    assert len(ids) == 1, ids


def test_an_object_that_moves_more_than_its_width_between_results_keeps_its_id() -> None:
    """Results a second apart: 370 px a result, no overlap left; the one sandwich near
    where the track was is the same sandwich, and a cat there is not."""
    tracker = Stream()
    seen = [
        tracker.update([det("sandwich", 48, x, 120, 256, 192)], after=1.0)[0] for x in _pan(370, 12)
    ]
    assert {d["track_id"] for d in seen} == {seen[0]["track_id"]}
    cat = tracker.update([det("cat", 15, 300, 120, 256, 192)])
    assert cat[0]["track_id"] != seen[0]["track_id"]


def test_motion_is_per_second_not_per_result() -> None:
    """A box moving 360 px/s, with results now a frame apart and now ten: the held box is
    carried forward by the time since it was seen."""
    tracker = Stream()
    x = 0.0
    for after in [1 / 30] * 5 + [10 / 30] + [1 / 30] * 5:
        x += 360 * after
        out = tracker.update([det("cup", 41, x, 200)], after=after)
    assert out[0]["track_id"] == 1
    held = tracker.update([], after=4 / 30)[0]
    assert held["held"] and abs(held["box"][0] - (x + 48)) < 8


def test_two_objects_far_apart_do_not_swap() -> None:
    tracker = Stream()
    first = tracker.update([det("cup", 41, 20, 200), det("cup", 41, 500, 200)])
    then = tracker.update([det("cup", 41, 500, 200), det("cup", 41, 30, 200)])
    assert then[0]["track_id"] == first[1]["track_id"]
    assert then[1]["track_id"] == first[0]["track_id"]


def test_a_box_far_beyond_its_track_is_a_new_object() -> None:
    tracker = Stream()
    first = tracker.update([det("cup", 41, 0, 200)])[0]
    then = tracker.update([det("cup", 41, 160, 200)])[0]  # 1.6 widths away
    assert then["track_id"] != first["track_id"]


def test_each_object_builds_up_evidence_from_its_own_looks() -> None:
    """Two dishes side by side: the one the classifier reads as a hot dog look after look
    gains evidence, the other loses it; a box never looked at alone has none."""
    stream = Tracker()
    at = 0.0
    out: list[Any] = []
    for _ in range(6):
        at += FRAME
        boxes = [det("hot dog", 52, 40, 60), det("pizza", 53, 400, 60), det("cup", 41, 250, 300)]
        out = [d.model_dump() for d in stream.update(boxes, W, H, at, [0.9, 0.1, None])]
    by_class = {d["class_name"]: d for d in out}
    assert by_class["hot dog"]["evidence"] > 3.0
    assert by_class["pizza"]["evidence"] < -2.0
    assert by_class["cup"]["evidence"] is None


def test_one_frames_pick_does_not_make_an_object_its_own_looks_deny_the_hot_dog() -> None:
    """The classifier's pick is one frame's: a box that its own looks have called no hot dog
    is not sent as the hot dog when the engine marks it once (the data channel would
    otherwise show it, boxed as the hot dog, for that frame)."""
    stream = Tracker()
    at = 0.0
    for _ in range(6):
        at += FRAME
        stream.update([det("sandwich", 48, 200, 100)], W, H, at, [0.1])
    at += FRAME
    marked = stream.update([det("hot dog", 52, 202, 100)], W, H, at, [0.55])
    assert not any(d.hotdog for d in marked), marked
    assert len(stream) == 1, "still the same object, not held twice"
    at += FRAME
    missed = stream.update([], W, H, at)
    assert not any(d.hotdog for d in missed), "nor is it held as the hot dog a frame later"
