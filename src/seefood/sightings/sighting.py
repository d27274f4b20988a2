"""A sighting: one hot dog confirmed, as it is stored and as it goes out (API, feed, webhooks)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

Source = Literal["live", "still"]
Box = tuple[float, float, float, float]  # x, y, width, height in the snapshot's pixels


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class Sighting:
    id: str
    seen: float  # Unix time (seconds) when it was confirmed
    source: Source
    session: str | None  # the live session's id (random, per session); None for a still
    score: float  # the confirming frame's hot-dog score
    evidence: float | None  # the live verdict's evidence then (log-odds); None for a still
    box: Box | None  # the hot dog's box, None when the verdict was about the whole picture
    width: int  # the snapshot's size
    height: int
    size: int = 0  # bytes its snapshot and crop take on disk

    def to_json(self) -> SightingJSON:
        return SightingJSON(
            id=self.id,
            seen=datetime.fromtimestamp(self.seen, UTC),
            source=self.source,
            session=self.session,
            score=round(self.score, 4),
            evidence=None if self.evidence is None else round(self.evidence, 3),
            box=None if self.box is None else [round(v, 1) for v in self.box],
            width=self.width,
            height=self.height,
            snapshot=f"/v1/sightings/{self.id}/snapshot.jpg",
            crop=f"/v1/sightings/{self.id}/crop.jpg",
        )


class SightingJSON(BaseModel):
    id: str
    seen: datetime = Field(description="when it was confirmed (UTC)")
    source: Source = Field(description="live: a camera's stream; still: POST /v1/detect")
    session: str | None = Field(description="the live session it came from")
    score: float = Field(description="the confirming frame's hot-dog score")
    evidence: float | None = Field(
        description="the live verdict's evidence when it was confirmed (log-odds; 3 and up "
        "is hotdog)"
    )
    box: list[float] | None = Field(
        description="[x, y, width, height] of the hot dog in the snapshot, if boxed"
    )
    width: int
    height: int
    snapshot: str = Field(description="the frame as a JPEG, the hot dog boxed")
    crop: str = Field(description="the hot dog's region as a JPEG")
