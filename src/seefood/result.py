"""What a detection run returns, and its JSON form (shared by the CLI, HTTP and WebRTC)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["hotdog", "not_hotdog"]


@dataclass(frozen=True, slots=True)
class Detection:
    class_id: int
    class_name: str
    score: float
    box: tuple[float, float, float, float]  # x, y, width, height in source pixels

    def to_dict(self) -> dict[str, Any]:
        return {
            "class_id": self.class_id,
            "class_name": self.class_name,
            "score": round(self.score, 4),
            "box": [round(v, 1) for v in self.box],
        }


@dataclass(slots=True)
class DetectionResult:
    width: int
    height: int
    detections: list[Detection]
    hotdog_score: float  # best hot-dog score seen, even below the threshold; 0 if none
    threshold: float
    timings_ms: dict[str, float] = field(default_factory=dict)

    def rescaled(self, width: int, height: int) -> DetectionResult:
        """The same result for the image at another size (it was detected on a reduced copy)."""
        if (width, height) == (self.width, self.height):
            return self
        sx, sy = width / self.width, height / self.height
        detections = [
            Detection(d.class_id, d.class_name, d.score,
                      (d.box[0] * sx, d.box[1] * sy, d.box[2] * sx, d.box[3] * sy))
            for d in self.detections
        ]  # fmt: skip
        return DetectionResult(
            width, height, detections, self.hotdog_score, self.threshold, dict(self.timings_ms)
        )

    @property
    def verdict(self) -> Verdict:
        return "hotdog" if self.hotdog_score >= self.threshold else "not_hotdog"

    def to_dict(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "verdict": self.verdict,
            "hotdog_score": round(self.hotdog_score, 4),
            "detections": [d.to_dict() for d in self.detections],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }
