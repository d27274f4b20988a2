"""Test videos made from the shared photos: each photo letterboxed into 640x480 frames."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import cv2
import numpy as np

from seefood import load_image
from seefood.types import RGBImage

from .conftest import DEV_SET
from .y4m import write_y4m

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


# A hot dog crossing the picture: a photo on a grey ground, 12 px a frame to the right and
# back (a loop with no jump), each frame's index written as bits in its bottom-left corner.
PAN_FRAMES = 64
PAN_STEP = 12
CODE_BITS = 6
CODE_BLOCK = 16  # each bit a white (1) or black (0) square, on a black strip
CODE_Y = 480 - 8 - CODE_BLOCK


def code_x(bit: int) -> int:
    return 8 + bit * (CODE_BLOCK + 8)


def pan_frame(photo: RGBImage, index: int) -> RGBImage:
    frame = np.full((480, 640, 3), 120, np.uint8)
    half = PAN_FRAMES // 2
    x = PAN_STEP * (index if index < half else PAN_FRAMES - index)
    h, w = photo.shape[:2]
    frame[120 : 120 + h, x : x + w] = photo
    frame[CODE_Y - 8 :, : code_x(CODE_BITS)] = 0
    for bit in range(CODE_BITS):
        if index >> bit & 1:
            frame[CODE_Y : CODE_Y + CODE_BLOCK, code_x(bit) : code_x(bit) + CODE_BLOCK] = 255
    return frame


def pan_photo(name: str = HOTDOGS[0]) -> RGBImage:
    image = load_image(DEV_SET / "hotdog" / name)
    return np.asarray(cv2.resize(image, (256, 192), interpolation=cv2.INTER_AREA), np.uint8)


def panning_video(path: Path) -> Path:
    photo = pan_photo()
    write_y4m(path, (pan_frame(photo, i) for i in range(PAN_FRAMES)))
    return path
