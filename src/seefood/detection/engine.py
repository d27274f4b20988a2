"""What runs the models: a batch of upright RGB images in, one result each out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from seefood.detection.memory import CropMemory
from seefood.detection.result import DetectionResult
from seefood.types import RGBImage, Size


class Engine(Protocol):
    """`Detector` is one; an inference daemon runs one; tests use a stand-in with a fixed
    service time, so that the broker's behaviour does not depend on this CPU's speed."""

    @property
    def input_size(self) -> Size:
        """The largest (width, height) the models look at: stills are decoded no larger."""
        ...

    def detect_batch(
        self,
        images: Sequence[RGBImage],
        memories: Sequence[CropMemory | None] | None = None,
    ) -> list[DetectionResult]:
        """One result per image; `memories` are live streams' memories, where they have one."""
        ...

    def describe(self) -> dict[str, str]:
        """Which models it runs, for /healthz."""
        ...
