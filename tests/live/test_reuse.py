"""Unchanged frames reuse the last result: real decoded frames, real differences."""

from __future__ import annotations

import av
import numpy as np

from seefood import load_image
from seefood.live.reuse import MAX_AGE, Reuse, difference, thumbnail
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


def test_a_result_stands_for_unchanged_frames_for_a_while_only() -> None:
    reuse: Reuse[str] = Reuse()
    thumb = thumbnail(frame(photo()))
    assert reuse.lookup(thumb, "640x480", 0.0) is None, "nothing seen yet"
    reuse.remember(thumb, "640x480", "result 1", now=0.0)
    assert reuse.lookup(thumb, "640x480", 0.5) == "result 1"
    assert reuse.lookup(thumb, "480x640", 0.5) is None, "another size or orientation"
    assert reuse.lookup(thumb, "640x480", MAX_AGE + 0.1) is None, "the models look again"
    assert (reuse.reused, reuse.fresh) == (1, 1)


def test_small_steps_add_up_against_the_frame_the_models_saw() -> None:
    reuse: Reuse[str] = Reuse()
    picture = photo().astype(np.int16)
    reuse.remember(thumbnail(frame(picture.astype(np.uint8))), "k", "r", now=0.0)
    answers = []
    for step in range(1, 30):  # the whole picture a little brighter each frame
        brighter = np.clip(picture + step, 0, 255).astype(np.uint8)
        answers.append(reuse.lookup(thumbnail(frame(brighter)), "k", now=step * 0.01))
    assert answers[0] == "r" and answers[-1] is None


def test_off_means_off() -> None:
    reuse: Reuse[str] = Reuse(enabled=False)
    thumb = thumbnail(frame(photo()))
    reuse.remember(thumb, "k", "r", now=0.0)
    assert reuse.lookup(thumb, "k", 0.1) is None
