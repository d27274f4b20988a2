"""A stand-in engine with a known service time, for tests of the broker's behaviour.

A stand-in, not the real models, because what these tests check (fairness, bounded delay,
drops under overload) must not depend on how fast this CPU runs the model: on a busy 2-core
machine the real model may serve 6 inferences/s, on an idle one 80. It sleeps rather than
computes, so other load cannot slow it; the daemons, broker, sinks and requestors around it
are the real ones.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from seefood.detection.memory import CropMemory
from seefood.detection.result import DetectionResult, Timings
from seefood.types import RGBImage, Size


class FixedTimeEngine:
    """`seconds_per_run` for a batch, whatever its size, plus `seconds_per_image` for each
    image in it (a real model's batch costs nearly its images' sum)."""

    def __init__(self, seconds_per_run: float, seconds_per_image: float = 0.0) -> None:
        self.seconds_per_run = seconds_per_run
        self.seconds_per_image = seconds_per_image
        self.runs = 0
        self.images = 0
        self._lock = threading.Lock()

    @property
    def input_size(self) -> Size:
        return (416, 416)

    def detect_batch(
        self, images: Sequence[RGBImage], memories: Sequence[CropMemory | None] | None = None
    ) -> list[DetectionResult]:
        time.sleep(self.seconds_per_run + self.seconds_per_image * len(images))
        with self._lock:
            self.runs += 1
            self.images += len(images)
        share = self.seconds_per_run * 1000 / max(len(images), 1) + self.seconds_per_image * 1000
        return [
            DetectionResult(img.shape[1], img.shape[0], [], 0.0, 0.25, Timings(inference=share))
            for img in images
        ]

    def describe(self) -> dict[str, str]:
        return {"model": "stand-in", "layout": "fixed-time"}
