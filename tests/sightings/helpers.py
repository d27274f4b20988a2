"""Sightings and snapshots to store, made the way the recorder makes them."""

from __future__ import annotations

import time

from seefood.detection.result import Detection, DetectionResult
from seefood.sightings.sighting import Sighting, new_id
from seefood.sightings.snapshots import Snapshot, render
from tests.conftest import noise_image

HOTDOG = Detection(52, "hot dog", 0.9, (40.0, 30.0, 120.0, 80.0), hotdog=True)


def result(width: int = 320, height: int = 240) -> DetectionResult:
    return DetectionResult(width, height, [HOTDOG], 0.9, 0.5)


def snapshot(seed: int = 0, width: int = 320, height: int = 240) -> Snapshot:
    """Noise pictures: JPEG cannot shrink them, so each is about the same size."""
    return render(noise_image(width, height, seed), result(width, height))


def sighting(seen: float | None = None, session: str | None = "abc") -> Sighting:
    return Sighting(
        id=new_id(),
        seen=time.time() if seen is None else seen,
        source="live",
        session=session,
        score=0.9,
        evidence=3.5,
        box=HOTDOG.box,
        width=320,
        height=240,
    )
