"""A sighting's pictures: the frame with its boxes drawn, and the hot dog's crop, as JPEG."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from seefood.detection.result import DetectionResult
from seefood.sightings.sighting import Box
from seefood.stills.annotate import annotate
from seefood.types import RGBImage

QUALITY = 85
MAX_SIDE = 1280  # a snapshot is for a person to look at, not a 12 MP archive
MARGIN = 0.15  # of the box's size, around the crop: the hot dog in its place


@dataclass(frozen=True, slots=True)
class Snapshot:
    frame: bytes  # JPEG
    crop: bytes  # JPEG
    width: int  # the frame's, as drawn
    height: int
    box: Box | None  # the hot dog's, in the drawn frame

    @property
    def size(self) -> int:
        return len(self.frame) + len(self.crop)


def hotdog_box(result: DetectionResult) -> Box | None:
    """The box the verdict is about, the surest if several."""
    boxes = [d for d in result.detections if d.hotdog]
    return max(boxes, key=lambda d: d.score).box if boxes else None


def render(image: RGBImage, result: DetectionResult) -> Snapshot:
    """`result` is about `image` (at any size): boxes and banner drawn on a copy, no side
    longer than MAX_SIDE."""
    picture = Image.fromarray(image).convert("RGB")
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    result = result.rescaled(picture.width, picture.height)
    drawn = annotate(np.asarray(picture), result)
    box = hotdog_box(result)
    crop = picture if box is None else picture.crop(_around(box, picture.size))
    return Snapshot(_jpeg(drawn), _jpeg(crop), drawn.width, drawn.height, box)


def _around(box: Box, size: tuple[int, int]) -> tuple[int, int, int, int]:
    x, y, w, h = box
    mx, my = w * MARGIN, h * MARGIN
    return (
        max(0, int(x - mx)),
        max(0, int(y - my)),
        min(size[0], int(x + w + mx + 1)),
        min(size[1], int(y + h + my + 1)),
    )


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY)
    return out.getvalue()


def write_file(path: Path, data: bytes) -> None:
    """All of `data` at `path`, or nothing there: written beside it, flushed to the disk,
    then renamed into place (a crash leaves at most a `.tmp`, which `recover` removes)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def sync_directory(path: Path) -> None:
    """Make the renames in `path` durable (POSIX: a rename lives in its directory)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
