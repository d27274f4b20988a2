"""A sighting's pictures: the frame boxed, and the crop around the hot dog."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from seefood.detection.result import DetectionResult
from seefood.sightings.snapshots import MAX_SIDE, hotdog_box, render, write_file
from seefood.stills.annotate import HOTDOG_COLOUR
from tests.conftest import noise_image
from tests.sightings.helpers import HOTDOG, result


def test_the_frame_is_boxed_and_the_crop_is_the_hot_dog() -> None:
    image = np.full((240, 320, 3), 128, np.uint8)
    shot = render(image, result())
    frame = np.asarray(Image.open(io.BytesIO(shot.frame)))
    x, y, _, h = (round(v) for v in HOTDOG.box)
    edge = frame[y + h // 2, x - 1 : x + 2].astype(int)  # across the box's left side
    assert (np.abs(edge - HOTDOG_COLOUR).sum(axis=1) < 90).any()
    crop = Image.open(io.BytesIO(shot.crop))
    assert 120 <= crop.width <= 160 and 80 <= crop.height <= 110  # the box and a margin
    assert (shot.width, shot.height, shot.box) == (320, 240, HOTDOG.box)


def test_a_large_photo_is_drawn_smaller_with_its_box_scaled() -> None:
    shot = render(noise_image(4000, 3000), result(320, 240))
    assert (shot.width, shot.height) == (MAX_SIDE, 960)
    assert shot.box is not None and abs(shot.box[2] - 120 * MAX_SIDE / 320) < 1


def test_no_box_crops_the_whole_frame() -> None:
    plain = DetectionResult(320, 240, [], 0.9, 0.5)
    assert hotdog_box(plain) is None
    shot = render(noise_image(), plain)
    assert shot.box is None and Image.open(io.BytesIO(shot.crop)).size == (320, 240)


def test_a_file_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    path = tmp_path / "a.jpg"
    write_file(path, b"data")
    assert path.read_bytes() == b"data" and list(tmp_path.iterdir()) == [path]
