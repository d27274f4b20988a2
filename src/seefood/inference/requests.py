"""What the two sides of the broker exchange: frames in, inferences out, and the engine.

Requestors and daemons meet only here and in the broker: a requestor sends a `Frame`, a
daemon runs its engine on it and answers an `Inference`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from seefood.detection.memory import CropMemory
from seefood.detection.result import DetectionResult
from seefood.inference.broker import Broker
from seefood.types import RGBImage


class Frame(Protocol):
    """A video frame or image; `to_rgb` runs in the daemon's thread, only for frames inferred."""

    @property
    def arrived(self) -> float:
        """time.monotonic() when it reached the inference service."""
        ...

    @property
    def memory(self) -> CropMemory | None:
        """Its stream's memory of what the classifier saw lately (live streams)."""
        ...

    def to_rgb(self) -> RGBImage: ...


@dataclass(slots=True)
class ArrayFrame:
    """A frame that is already an RGB array (still images, synthetic streams)."""

    image: RGBImage
    arrived: float = field(default_factory=time.monotonic)
    memory: CropMemory | None = None

    def to_rgb(self) -> RGBImage:
        return self.image


@dataclass(frozen=True, slots=True)
class Inference:
    """A daemon's reply to one request; `result.timings` has every stage measured so far."""

    result: DetectionResult
    batch_size: int
    done: float  # time.monotonic() when the result was ready


InferenceBroker = Broker[Frame, Inference]
