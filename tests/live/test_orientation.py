import itertools

import numpy as np
import pytest

from seefood.live.orientation import (
    UPRIGHT,
    Orientation,
    OrientationTracker,
    make_upright,
    rotate_away,
)
from tests.conftest import noise_image

ALL = [
    Orientation(r, f, c)
    for r, f, c in itertools.product((0, 90, 180, 270), (False, True), (False, True))
]


@pytest.mark.parametrize("o", ALL)
def test_byte_round_trip(o: Orientation) -> None:
    byte = o.to_byte()
    assert 0 <= byte <= 15
    assert Orientation.from_byte(byte) == o


def test_byte_layout_follows_ts_26_114() -> None:
    assert Orientation.from_byte(0b0001) == Orientation(rotation=90)
    assert Orientation.from_byte(0b0010) == Orientation(rotation=180)
    assert Orientation.from_byte(0b0111) == Orientation(rotation=270, flip=True)
    assert Orientation.from_byte(0b1000) == Orientation(back_camera=True)
    assert Orientation.from_byte(0xF0) == UPRIGHT  # reserved high bits are ignored


@pytest.mark.parametrize("o", ALL)
def test_make_upright_undoes_rotate_away(o: Orientation) -> None:
    image = noise_image(64, 48)
    sideways = rotate_away(image, o)
    assert sideways.shape[:2] == ((64, 48) if o.rotation in (90, 270) else (48, 64))
    np.testing.assert_array_equal(make_upright(sideways, o), image)
    assert o.upright_size(sideways.shape[1], sideways.shape[0]) == (64, 48)


def test_rotation_is_clockwise() -> None:
    image = np.zeros((2, 3, 3), np.uint8)
    image[0, 0] = 255  # top-left
    turned = make_upright(image, Orientation(rotation=90))
    assert turned.shape[:2] == (3, 2) and turned[0, 1, 0] == 255  # now top-right


def test_tracker_keeps_the_last_value_by_timestamp() -> None:
    t = OrientationTracker()
    assert t.at(123) == UPRIGHT
    t.record(1000, 1)  # key frame: 90 degrees
    t.record(4000, None)  # delta frames carry nothing: still 90
    t.record(7000, 1)
    t.record(10_000, 2)  # turned to 180
    assert t.at(1000) == t.at(9999) == Orientation(rotation=90)
    assert t.at(10_000) == t.at(50_000) == Orientation(rotation=180)
    assert t.current == Orientation(rotation=180)


def test_tracker_handles_timestamp_wrap() -> None:
    t = OrientationTracker()
    t.record(0xFFFFF000, 1)
    t.record(0x00000100, 3)  # after the 32-bit wrap
    assert t.at(0xFFFFFF00) == Orientation(rotation=90)
    assert t.at(0x00000200) == Orientation(rotation=270)


def test_a_late_packet_does_not_undo_a_newer_change() -> None:
    t = OrientationTracker()
    t.record(0, 1)
    t.record(3000, 1)
    t.record(6000, 0)
    t.record(3000, 1)  # retransmitted or reordered
    assert t.current == UPRIGHT and t.at(9000) == UPRIGHT
    assert t.at(4000) == Orientation(rotation=90)


def test_rotation_directions_match_numpy() -> None:
    """Pinned to numpy's own rot90 (counter-clockwise for k > 0), not to our pairing."""
    image = noise_image(40, 30)
    np.testing.assert_array_equal(make_upright(image, Orientation(90)), np.rot90(image, -1))
    np.testing.assert_array_equal(rotate_away(image, Orientation(90)), np.rot90(image, 1))
    np.testing.assert_array_equal(make_upright(image, Orientation(0, flip=True)), image[:, ::-1])
