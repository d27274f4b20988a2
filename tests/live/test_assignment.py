"""Assigning a result's boxes to tracks: overlaps, distances and greedy pairs."""

from __future__ import annotations

import numpy as np
import pytest

from seefood.live.assignment import SIZE_RATIO, distances, greedy, ious


def boxes(*rows: tuple[float, float, float, float]) -> np.ndarray:
    return np.array(rows, np.float64)


def test_overlaps_of_every_box_with_every_box() -> None:
    a = boxes((0.0, 0.0, 0.5, 0.5), (0.5, 0.5, 0.5, 0.5))
    b = boxes((0.0, 0.0, 0.5, 0.5), (0.25, 0.0, 0.5, 0.5), (0.9, 0.0, 0.1, 0.1))
    got = ious(a, b)
    assert got.shape == (2, 3)
    assert got[0, 0] == pytest.approx(1.0)
    assert got[0, 1] == pytest.approx(1 / 3)
    assert got[0, 2] == 0.0 and got[1, 0] == 0.0


def test_distance_is_in_the_tracks_size_and_infinite_for_another_size() -> None:
    track = boxes((0.0, 0.0, 0.1, 0.1))
    near = boxes((0.15, 0.0, 0.1, 0.1))
    big = boxes((0.0, 0.0, 0.1 * SIZE_RATIO, 0.1 * SIZE_RATIO))
    far = distances(np.vstack([near, big]), track, (100, 100))
    assert far[0, 0] == pytest.approx(1.5), "15 px apart, the track 10 px wide"
    assert np.isinf(far[1, 0]), "four times the area: another object"


def test_greedy_pairs_best_first_each_at_most_once_and_never_at_zero() -> None:
    rank = np.array([[0.9, 0.8], [0.85, 0.0], [0.0, 0.0]])
    assert greedy(rank) == {0: 0}, "row 1's only pair is taken; nothing for a zero rank"
    assert greedy(np.array([[0.5, 0.9], [0.8, 0.1]])) == {0: 1, 1: 0}
