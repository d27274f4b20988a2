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
    def __init__(self, seconds_per_run: float) -> None:
        self.seconds_per_run = seconds_per_run
        self.runs = 0
        self.images = 0
        self._lock = threading.Lock()

    @property
    def input_size(self) -> Size:
        return (416, 416)

    def detect_batch(
        self, images: Sequence[RGBImage], memories: Sequence[CropMemory | None] | None = None
    ) -> list[DetectionResult]:
        time.sleep(self.seconds_per_run)
        with self._lock:
            self.runs += 1
            self.images += len(images)
        share = self.seconds_per_run * 1000 / max(len(images), 1)
        return [
            DetectionResult(img.shape[1], img.shape[0], [], 0.0, 0.25, Timings(inference=share))
            for img in images
        ]

    def describe(self) -> dict[str, str]:
        return {"model": "stand-in", "layout": "fixed-time"}
