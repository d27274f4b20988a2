"""The live verdict over a stream's frames: hysteresis on the evidence, not on one frame."""

from __future__ import annotations

import random

from seefood.live.evidence import MAX_GAP, PATIENCE, LiveVerdict


def looks(verdict: LiveVerdict, scores: list[float], threshold: float = 0.5) -> list[str]:
    return [verdict.look(s, threshold, now=i * 0.1) for i, s in enumerate(scores)]


def test_a_clear_hot_dog_is_called_on_its_second_look_not_its_first() -> None:
    assert looks(LiveVerdict(), [0.9, 0.9, 0.9]) == ["pending", "hotdog", "hotdog"]
    assert looks(LiveVerdict(), [0.99])[0] == "pending", "one look, however sure, is not enough"
    assert looks(LiveVerdict(), [0.8] * 3)[-1] == "hotdog"


def test_clear_other_food_is_called_at_once_and_an_unclear_dish_after_a_while() -> None:
    assert looks(LiveVerdict(), [0.02, 0.02]) == ["pending", "not_hotdog"]
    unclear = looks(LiveVerdict(), [0.45] * (PATIENCE + 2))
    assert unclear[: PATIENCE - 1] == ["pending"] * (PATIENCE - 1)
    assert unclear[-1] == "not_hotdog"


def test_a_dish_near_the_line_never_becomes_a_hot_dog() -> None:
    """A flatbread read at 0.50-0.57 frame after frame, now and then a look at 0.62: each
    crosses the line, none builds evidence (a CI run's page showed "Hotdog!" on such)."""
    rng = random.Random(20)
    scores = [rng.uniform(0.3, 0.57) if rng.random() > 0.1 else 0.62 for _ in range(2000)]
    assert sum(s >= 0.5 for s in scores) > 400
    assert "hotdog" not in looks(LiveVerdict(), scores)


def test_one_low_look_does_not_end_a_hot_dog_and_a_run_of_them_does() -> None:
    verdict = LiveVerdict()
    looks(verdict, [0.9] * 10)
    assert verdict.look(0.05, 0.5, now=1.1) == "hotdog"
    assert verdict.look(0.9, 0.5, now=1.2) == "hotdog"
    after = [verdict.look(0.1, 0.5, now=1.3 + i * 0.1) for i in range(8)]
    assert after[0] == "hotdog" and after[-1] == "not_hotdog"
    assert verdict.to_dict()["frames"] == len(after) - after.index("not_hotdog")


def test_a_hot_dog_just_called_is_not_ended_by_one_look_however_low() -> None:
    """Just over ENTER (unchanged frames reused add nothing, so a still hot dog stays
    there), one look at 0.01 took the evidence below LEAVE: it must take two."""
    verdict = LiveVerdict()
    looks(verdict, [0.76] * 5)  # E = 3.2: hotdog
    assert verdict.verdict == "hotdog" and verdict.evidence < 4
    assert verdict.look(0.01, 0.5, now=1.0) == "hotdog" and verdict.evidence < 0
    assert verdict.look(0.01, 0.5, now=1.1) == "not_hotdog"
    again = LiveVerdict()
    looks(again, [0.76] * 5)
    again.look(0.01, 0.5, now=1.0)
    assert again.look(0.9, 0.5, now=1.1) == "hotdog", "one low look, then a high one"


def test_scores_count_from_the_sources_own_threshold() -> None:
    """The detector-only verdict's line is 0.25: a steady 0.4 is a hot dog there."""
    assert looks(LiveVerdict(), [0.4] * 10, threshold=0.25)[-1] == "hotdog"
    assert looks(LiveVerdict(), [0.4] * 10, threshold=0.5)[-1] == "not_hotdog"


def test_after_a_gap_the_evidence_starts_again() -> None:
    verdict = LiveVerdict()
    looks(verdict, [0.9] * 5)
    assert verdict.look(0.9, 0.5, now=0.5 + MAX_GAP + 1) == "pending"
    assert verdict.to_dict() == {"verdict": "pending", "evidence": 2.197, "frames": 1}


def test_a_new_dish_is_judged_in_a_few_looks_however_long_the_last_was_watched() -> None:
    verdict = LiveVerdict()
    looks(verdict, [0.01] * 500)
    after = [verdict.look(0.9, 0.5, now=50.0 + i * 0.1) for i in range(8)]
    assert after.index("hotdog") <= 6, after


def test_settled_means_decided_and_the_last_look_agreed() -> None:
    verdict = LiveVerdict()
    assert not verdict.settled
    looks(verdict, [0.95] * 6)
    assert verdict.verdict == "hotdog" and verdict.settled
    verdict.look(0.2, 0.5, now=0.7)
    assert verdict.verdict == "hotdog" and not verdict.settled, "a look against: look again"
    near = LiveVerdict()
    looks(near, [0.45, 0.55] * 20)
    assert not near.settled, "a dish near the line is never settled"
    other = LiveVerdict()
    looks(other, [0.05] * 4)
    assert other.verdict == "not_hotdog" and other.settled


def test_glances_only_just_after_a_look_at_a_settled_verdict() -> None:
    from seefood.live.evidence import GLANCE_SECONDS

    verdict = LiveVerdict()
    assert not verdict.may_glance(0.0)
    looks(verdict, [0.95] * 6)  # the last look at 0.5 s
    assert verdict.settled and verdict.may_glance(0.5 + GLANCE_SECONDS / 2)
    assert not verdict.may_glance(0.5 + GLANCE_SECONDS * 2), "reused frames since: look again"
    verdict.look(0.3, 0.5, now=0.6)
    assert verdict.verdict == "hotdog" and not verdict.may_glance(0.61), "the last look disagreed"


def test_a_firm_look_is_settled_and_far_from_the_line() -> None:
    """What may stand for a new scene at once (seefood.live.reuse): not a draft at 0.45
    that a settled "not hotdog" still agrees with."""
    other = LiveVerdict()
    looks(other, [0.05] * 4)
    assert other.settled and other.firm
    other.look(0.45, 0.5, now=0.5)
    assert other.settled and not other.firm, "agrees, but near the line"
    hotdog = LiveVerdict()
    looks(hotdog, [0.95] * 6)
    assert hotdog.firm
    hotdog.look(0.6, 0.5, now=0.7)
    assert hotdog.settled and not hotdog.firm


def test_another_line_for_hotdog_weighs_the_same_looks_otherwise() -> None:
    """`enter` is only for the bench's trade table: 0.6 steadily never reaches the shipped
    line (five looks' worth of 0.41 log-odds), and reaches a line of 1.5."""
    scores = [0.6] * 20
    assert looks(LiveVerdict(), scores)[-1] != "hotdog"
    assert looks(LiveVerdict(enter=1.5), scores)[-1] == "hotdog"
