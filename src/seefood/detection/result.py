"""What a detection run returns, and its one wire shape (the CLI, HTTP and the data channel).

The `...Dict` types are the JSON as it goes out; FastAPI documents `/v1/detect` from them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from typing_extensions import TypedDict  # pydantic needs this one on Python < 3.12

from seefood.types import Verdict


class DetectionDict(TypedDict):
    class_id: int
    class_name: str
    score: float
    box: list[float]  # [x, y, width, height] in source pixels
    box_norm: list[float]  # the same box as fractions of the image's width and height
    hotdog: bool  # this box is the hot dog the verdict is about


class TimingsDict(TypedDict):
    decode: float
    queued: float
    preprocess: float
    inference: float
    postprocess: float
    total: float


class ScoresDict(TypedDict, total=False):
    detector: float  # the detector's best hot-dog score
    classifier: float  # the classifier's hot-dog share of the food it sees, best region
    food: float  # how much of that region the classifier takes for food


class ResultDict(TypedDict):
    width: int
    height: int
    verdict: Verdict
    hotdog_score: float
    scores: ScoresDict
    detections: list[DetectionDict]
    timings_ms: TimingsDict


@dataclass(frozen=True, slots=True)
class Timings:
    """Milliseconds one image spent in each stage; every path fills the same fields.

    Each stage is added where it is measured: `decode` by whoever turns bytes or a video
    frame into RGB, `queued` by the daemon that took the request, the model stages by the
    detector and the verdict. `total` is their sum.
    """

    decode: float = 0.0  # image bytes or a received video frame -> upright RGB
    queued: float = 0.0  # from arrival at the inference service until a daemon took it
    preprocess: float = 0.0  # letterbox and normalise
    inference: float = 0.0  # this image's share of the model run
    postprocess: float = 0.0  # decoding the outputs, NMS, mapping boxes back

    def added(self, **ms: float) -> Timings:
        """These timings with more milliseconds in the stages named."""
        return replace(self, **{stage: getattr(self, stage) + v for stage, v in ms.items()})

    @property
    def total(self) -> float:
        return self.decode + self.queued + self.preprocess + self.inference + self.postprocess

    def to_dict(self) -> TimingsDict:
        return {
            "decode": round(self.decode, 2),
            "queued": round(self.queued, 2),
            "preprocess": round(self.preprocess, 2),
            "inference": round(self.inference, 2),
            "postprocess": round(self.postprocess, 2),
            "total": round(self.total, 2),
        }


@dataclass(frozen=True, slots=True)
class Detection:
    class_id: int
    class_name: str
    score: float
    box: tuple[float, float, float, float]  # x, y, width, height in source pixels
    hotdog: bool = False  # the region the hot-dog verdict is about

    def scaled(self, sx: float, sy: float) -> Detection:
        x, y, w, h = self.box
        box = (x * sx, y * sy, w * sx, h * sy)
        return Detection(self.class_id, self.class_name, self.score, box, self.hotdog)

    def to_dict(self, width: int, height: int) -> DetectionDict:
        x, y, w, h = self.box
        return {
            "class_id": self.class_id,
            "class_name": self.class_name,
            "score": round(self.score, 4),
            "box": [round(v, 1) for v in self.box],
            "box_norm": [
                round(x / width, 5),
                round(y / height, 5),
                round(w / width, 5),
                round(h / height, 5),
            ],
            "hotdog": self.hotdog,
        }


@dataclass(frozen=True, slots=True)
class DetectionResult:
    """One image's answer, made once by the stage that knows it (the detector, then the
    verdict); a later stage makes a new one (`dataclasses.replace`), never edits it."""

    width: int
    height: int
    detections: Sequence[Detection]
    hotdog_score: float  # the verdict's score, even below the threshold
    threshold: float
    timings: Timings = field(default_factory=Timings)
    scores: Mapping[str, float] = field(default_factory=dict)  # what each model said
    # Food the detector saw, down to a low score: the regions the verdict's classifier may
    # look at. Not part of the JSON.
    food: Sequence[Detection] = ()

    def rescaled(self, width: int, height: int) -> DetectionResult:
        """The same result for the image at another size (it was detected on a reduced copy)."""
        if (width, height) == (self.width, self.height):
            return self
        sx, sy = width / self.width, height / self.height
        return replace(
            self,
            width=width,
            height=height,
            detections=[d.scaled(sx, sy) for d in self.detections],
            food=[d.scaled(sx, sy) for d in self.food],
        )

    @property
    def verdict(self) -> Verdict:
        return "hotdog" if self.hotdog_score >= self.threshold else "not_hotdog"

    def to_dict(self) -> ResultDict:
        return {
            "width": self.width,
            "height": self.height,
            "verdict": self.verdict,
            "hotdog_score": round(self.hotdog_score, 4),
            "scores": {k: round(v, 4) for k, v in self.scores.items()},  # type: ignore[typeddict-item]
            "detections": [d.to_dict(self.width, self.height) for d in self.detections],
            "timings_ms": self.timings.to_dict(),
        }
