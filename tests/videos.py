"""Test videos made from the shared photos: each photo letterboxed into 640x480 frames."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import cv2
import numpy as np

from seefood import load_image
from seefood.contrib.y4m import write_y4m
from seefood.types import RGBImage

from .conftest import DEV_SET

HOTDOGS = ["7974806.jpg", "4676422.jpg", "4551906.jpg", "2261197.jpg", "12123655.jpg"]
OTHER_FOOD = ["1001773.jpg", "1337825.jpg", "1391487.jpg", "1395958.jpg", "1410235.jpg"]
# Other food the detector alone takes for hot dogs (NanoDet-g 0.32-0.44 in a 640x480 frame),
# and two stacks of pancakes: the verdict must not.
HARD_OTHER_FOOD = [
    "239581.jpg",
    "708488.jpg",
    "376464.jpg",
    "1079020.jpg",
    "372851.jpg",
    "574111.jpg",
]


def letterboxed(image: RGBImage, width: int = 640, height: int = 480) -> RGBImage:
    scale = min(width / image.shape[1], height / image.shape[0])
    w, h = round(image.shape[1] * scale), round(image.shape[0] * scale)
    canvas = np.zeros((height, width, 3), np.uint8)
    y, x = (height - h) // 2, (width - w) // 2
    canvas[y : y + h, x : x + w] = cv2.resize(image, (w, h), interpolation=cv2.INTER_CUBIC)
    return canvas


def photo_video(path: Path, label: str, names: Sequence[str], frames_each: int = 15) -> Path:
    photos = [letterboxed(load_image(DEV_SET / label / n)) for n in names]

    def frames() -> Iterator[RGBImage]:
        for photo in photos:
            for _ in range(frames_each):
                yield photo

    write_y4m(path, frames())
    return path
