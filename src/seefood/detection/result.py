"""What a detection run returns, and its one wire shape (the CLI, HTTP and the data channel).

The `...JSON` models are the JSON as it goes out, declared once: `to_json()` fills them
from a result, `model_dump()` gives the JSON (rounded as declared), and FastAPI documents
`/v1/detect` from the same models.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from seefood.types import Verdict


def _rounded(digits: int) -> PlainSerializer:
    return PlainSerializer(lambda v: round(v, digits), return_type=float)


Ms = Annotated[float, _rounded(2)]
Score = Annotated[float, _rounded(4)]
Pixels = Annotated[float, _rounded(1)]
Share = Annotated[float, _rounded(5)]


class _Wire(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class DetectionJSON(_Wire):
    class_id: int = Field(description="COCO class index, 0-79")
    class_name: str
    score: Score
    box: list[Pixels] = Field(description="[x, y, width, height] in the image's pixels")
    box_norm: list[Share] = Field(
        description="the same box as fractions of the image's width and height"
    )
    hotdog: bool = Field(description="this box is the hot dog the verdict is about")


class TimingsJSON(_Wire):
    """Milliseconds in each stage (see `Timings`)."""

    decode: Ms
    queued: Ms
    preprocess: Ms
    inference: Ms
    postprocess: Ms
    total: Ms


class ResultJSON(_Wire):
    width: int
    height: int
    verdict: Verdict
    hotdog_score: Score = Field(description="the verdict's score, even below its threshold")
    scores: dict[str, Score] = Field(
        description="what each model said: the detector's best hot-dog score, the "
        "classifier's hot-dog share of the food it sees (best region), and that region's "
        "food"
    )
    detections: list[DetectionJSON]
    timings_ms: TimingsJSON


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


@dataclass(frozen=True, slots=True)
class Detection:
    class_id: int
    class_name: str
    score: float
    box: tuple[float, float, float, float]  # x, y, width, height in source pixels
    hotdog: bool = False  # the region the hot-dog verdict is about
    # The verdict's score on this box alone, where the classifier looked at it (live tracks
    # build up evidence from it); not part of the JSON.
    looked: float | None = None

    def scaled(self, sx: float, sy: float) -> Detection:
        x, y, w, h = self.box
        return replace(self, box=(x * sx, y * sy, w * sx, h * sy))

    def to_json(self, width: int, height: int) -> DetectionJSON:
        x, y, w, h = self.box
        # Not validated: the detector made these values (a result has up to 100 boxes).
        return DetectionJSON.model_construct(
            class_id=self.class_id,
            class_name=self.class_name,
            score=self.score,
            box=list(self.box),
            box_norm=[x / width, y / height, w / width, h / height],
            hotdog=self.hotdog,
        )


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

    def to_json(self) -> ResultJSON:
        return ResultJSON.model_construct(
            width=self.width,
            height=self.height,
            verdict=self.verdict,
            hotdog_score=self.hotdog_score,
            scores=dict(self.scores),
            detections=[d.to_json(self.width, self.height) for d in self.detections],
            timings_ms=TimingsJSON.model_validate(self.timings),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON object, as the CLI prints it and the API and the data channel send it."""
        return self.to_json().model_dump()
