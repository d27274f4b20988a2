"""Unchanged frames reuse the last result: real decoded frames, real differences."""

from __future__ import annotations

import av
import numpy as np

from seefood import load_image
from seefood.live.reuse import MAX_AGE, SETTLE, Reuse, difference, thumbnail
from tests.conftest import DEV_SET
from tests.videos import HOTDOGS, letterboxed


def photo() -> np.ndarray:
    return letterboxed(load_image(DEV_SET / "hotdog" / HOTDOGS[0]))


def frame(image: np.ndarray) -> av.VideoFrame:
    return av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")


def test_the_same_picture_with_a_little_noise_is_unchanged_and_a_moved_one_is_not() -> None:
    rng = np.random.default_rng(1)
    picture = photo()
    noisy = np.clip(picture + rng.normal(0, 3, picture.shape), 0, 255).astype(np.uint8)
    moved = np.roll(picture, 40, axis=1)
    base = thumbnail(frame(picture))
    assert base.shape == (24, 32)
    assert difference(base, thumbnail(frame(noisy))) < 2.0
    assert difference(base, thumbnail(frame(moved))) > 2.0


def settled(reuse: Reuse[str], thumb: np.ndarray, key: str, result: str, at: float) -> float:
    """The scene looked at until it has settled (the last look at `at`); when that was."""
    reuse.remember(thumb, key, "a first look", at - SETTLE)
    reuse.remember(thumb, key, result, at)
    return at


def test_a_result_stands_for_unchanged_frames_for_a_while_only() -> None:
    reuse: Reuse[str] = Reuse()
    thumb = thumbnail(frame(photo()))
    assert reuse.lookup(thumb, "640x480", 0.0) is None, "nothing seen yet"
    at = settled(reuse, thumb, "640x480", "result 1", 1.0)
    assert reuse.lookup(thumb, "640x480", at + 0.5) == "result 1"
    assert reuse.lookup(thumb, "480x640", at + 0.5) is None, "another size or orientation"
    assert reuse.lookup(thumb, "640x480", at + MAX_AGE + 0.1) is None, "the models look again"
    assert (reuse.reused, reuse.fresh) == (1, 2)


def test_a_new_scene_is_looked_at_until_it_settles() -> None:
    """After a cut the encoder sends rough drafts of the new picture first: the first look
    at a scene does not stand for the frames after it (it had, for a second, at 0.45 on a
    hot dog that read 0.83 from its third frame), nor does any before SETTLE seconds."""
    reuse: Reuse[str] = Reuse()
    dish, hotdog = photo(), letterboxed(load_image(DEV_SET / "hotdog" / HOTDOGS[1]))
    at = settled(reuse, thumbnail(frame(dish)), "k", "the dish", 1.0)
    cut = thumbnail(frame(hotdog))
    assert reuse.lookup(cut, "k", at + 0.03) is None, "a cut: the models look"
    reuse.remember(cut, "k", "a draft", at + 0.03)
    looks = [at + 0.03 + i * 0.033 for i in range(1, 12)]
    answers = []
    for t in looks:
        answers.append(reuse.lookup(cut, "k", t))
        if answers[-1] is None:
            reuse.remember(cut, "k", f"look at {t - at - 0.03:.2f}", t)
    assert "a draft" not in answers, answers
    first = next(i for i, a in enumerate(answers) if a is not None)
    assert looks[first] - (at + 0.03) > SETTLE, answers
    assert answers[-1] == answers[first] != "the dish", answers


def test_a_firm_look_at_a_new_scene_stands_at_once() -> None:
    """A cut between two clear dishes costs one look (16 paced streams of hot-dog photos
    answered 1.18x what they did without reuse when each cut cost 0.3 s of looks)."""
    reuse: Reuse[str] = Reuse()
    at = settled(reuse, thumbnail(frame(photo())), "k", "the dish", 1.0)
    cut = thumbnail(frame(letterboxed(load_image(DEV_SET / "hotdog" / HOTDOGS[1]))))
    reuse.remember(cut, "k", "a clear hot dog", at + 0.03, firm=True)
    assert reuse.lookup(cut, "k", at + 0.06) == "a clear hot dog"


def test_small_steps_add_up_against_the_frame_the_models_saw() -> None:
    reuse: Reuse[str] = Reuse()
    picture = photo().astype(np.int16)
    at = settled(reuse, thumbnail(frame(picture.astype(np.uint8))), "k", "r", 1.0)
    answers = []
    for step in range(1, 30):  # the whole picture a little brighter each frame
        brighter = np.clip(picture + step, 0, 255).astype(np.uint8)
        answers.append(reuse.lookup(thumbnail(frame(brighter)), "k", now=at + step * 0.01))
    assert answers[0] == "r" and answers[-1] is None


def test_off_means_off() -> None:
    reuse: Reuse[str] = Reuse(enabled=False)
    thumb = thumbnail(frame(photo()))
    at = settled(reuse, thumb, "k", "r", 1.0)
    assert reuse.lookup(thumb, "k", at + 0.1) is None
