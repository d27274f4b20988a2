"""Where the classifier looks, with the real models: a settled live stream's glances."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from seefood import load_image
from seefood.detection.hotdog import HotdogEngine
from seefood.detection.memory import GLANCE_FRAMES, CropMemory
from seefood.detection.result import DetectionResult
from seefood.types import RGBImage
from tests.conftest import DEV_SET
from tests.videos import letterboxed


@pytest.fixture
def runs(engine: HotdogEngine, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The classifier's runs, counted (the real model runs; only the count is added)."""
    assert engine.classifier is not None
    classifier = engine.classifier
    real, counted = classifier.run, [0]

    def run(batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        counted[0] += 1
        return real(batch)

    monkeypatch.setattr(classifier, "run", run)
    yield counted


def _settled(
    engine: HotdogEngine, frames: list[RGBImage], memory: CropMemory, runs: list[int]
) -> list[tuple[DetectionResult, bool]]:
    """Each frame as a settled stream's: (result, glanced), checking that a glance ran no
    classifier and a look did."""
    out = []
    for frame in frames:
        memory.settled = True
        before = runs[0]
        [result] = engine.detect_batch([frame], [memory])
        assert (runs[0] == before) == memory.glanced
        out.append((result, memory.glanced))
    return out


def test_a_settled_still_frame_is_looked_at_once_in_five_and_judged_the_same(
    engine: HotdogEngine, runs: list[int]
) -> None:
    frame = letterboxed(load_image(DEV_SET / "hotdog" / "10397836.jpg"))  # needs its crops
    [still] = engine.detect_batch([frame])
    memory = CropMemory()
    for _ in range(8):  # until every box has a place (one new crop a frame)
        engine.detect_batch([frame], [memory])
    seen = _settled(engine, [frame] * (3 * (GLANCE_FRAMES + 1)), memory, runs)
    glanced = [g for _, g in seen]
    assert all(r.verdict == still.verdict for r, _ in seen)
    assert all(abs(r.hotdog_score - still.hotdog_score) < 0.05 for r, _ in seen)
    assert sum(glanced) >= 2 * GLANCE_FRAMES, glanced
    windows = [glanced[i : i + GLANCE_FRAMES + 1] for i in range(len(glanced) - GLANCE_FRAMES)]
    assert not any(all(w) for w in windows), f"a look in every {GLANCE_FRAMES + 1}: {glanced}"


def test_an_undecided_stream_never_glances(engine: HotdogEngine, runs: list[int]) -> None:
    frame = letterboxed(load_image(DEV_SET / "hotdog" / "10397836.jpg"))
    memory = CropMemory()
    for _ in range(6):
        before = runs[0]
        engine.detect_batch([frame], [memory])  # memory.settled stays False
        assert not memory.glanced and runs[0] > before


def test_a_pan_keeps_glancing_and_a_new_scene_is_looked_at(
    engine: HotdogEngine, runs: list[int]
) -> None:
    photo = letterboxed(load_image(DEV_SET / "hotdog" / "7974806.jpg"))
    pan = [np.roll(photo, 6 * i, axis=1) for i in range(16)]  # 6 px a frame to the right
    memory = CropMemory()
    for _ in range(4):  # settle its places
        engine.detect_batch([pan[0]], [memory])
    seen = _settled(engine, pan, memory, runs)
    assert sum(g for _, g in seen) >= len(pan) // 2, [g for _, g in seen]
    assert all(r.verdict == "hotdog" for r, _ in seen)
    other = letterboxed(load_image(DEV_SET / "not_hotdog" / "239581.jpg"))
    [result] = _settled(engine, [other], memory, runs)
    assert not result[1], "the hot dog left the view: the new scene is looked at"
    assert result[0].verdict == "not_hotdog"
