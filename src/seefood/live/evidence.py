"""A live stream's verdict: hot-dog evidence that builds up over frames, with hysteresis.

One frame's score is one look, and a camera's looks are not independent photos: the same
dish seen through a compressed, rescaled stream scores a little differently each frame, so
a dish that sits near the line (a flatbread at 0.52-0.57) crosses it now and then. The
evidence is a leaky sum of the looks' log-odds:

    E = DECAY * E + clip(logit(score) - logit(threshold))

so steady looks settle at five looks' worth. With the combined verdict's line at 0.5, the
verdict becomes "hotdog" when E reaches ENTER (a look at 0.9 twice, at 0.8 three times;
never a dish that stays under about 0.64), and leaves it only when E is at LEAVE or below
on MIN_LOOKS looks in a row: never on one look, however low (a hot dog just called, at
E = 3.2, fell to -1.4 on a single look at 0.01; and unchanged frames, reused, add no
evidence, so a hot dog held still stays near ENTER). Until either way is clear it is
"pending". The evidence is kept within +-CAP, so that a new dish is judged in a few looks
however long the last one was watched. A gap in the looks (a camera in the background)
starts it again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from typing_extensions import TypedDict

DECAY = 0.8  # each look's share of the evidence shrinks by this much a frame
MAX_LOOK = 4.0  # log-odds one look can add or take (a score of 0.018 or 0.982)
ENTER = 3.0  # evidence that makes the verdict "hotdog"
LEAVE = 0.0  # ... and where "hotdog" ends again
NOT_HOTDOG = -2.0  # evidence against that decides "not_hotdog" before PATIENCE looks
MIN_LOOKS = 2  # no verdict on one look, however sure, and none ended on one
PATIENCE = 6  # looks after which an undecided stream is "not_hotdog"
MAX_GAP = 2.0  # seconds without a look after which the evidence starts again
GLANCE_SECONDS = 0.25  # a settled verdict stands for glances this long after its last look
CAP = 8.0  # evidence is kept within +-CAP: a new dish is not held back by a long last one
FIRM = 1.0  # log-odds from the line of a look that may stand for a new scene (0.27, 0.73)

LiveVerdictName = Literal["hotdog", "not_hotdog", "pending"]


class LiveDict(TypedDict):
    verdict: LiveVerdictName
    evidence: float  # E, in log-odds: ENTER and above is hotdog
    frames: int  # looks since the verdict last changed (how long it has held)


def logit(score: float) -> float:
    score = min(max(score, 1e-6), 1 - 1e-6)
    return math.log(score / (1 - score))


@dataclass
class LiveVerdict:
    """The verdict of one stream, updated with each inferred frame's score. One per
    session, updated on its event loop only."""

    evidence: float = 0.0
    looks: int = 0
    verdict: LiveVerdictName = "pending"
    held: int = 0  # looks since the verdict last changed
    last: float | None = None  # when the last look came (time.monotonic())
    last_step: float = 0.0  # what the last look added
    low: int = 0  # looks in a row at LEAVE or below: MIN_LOOKS of them end hotdog
    enter: float = ENTER  # the line for "hotdog" (another only to weigh a trade: bench/)

    @property
    def settled(self) -> bool:
        """Decided beyond the band, and the last look agreed: a look more at an unchanged
        frame would change nothing (seefood.live.reuse may stand in for it)."""
        if self.verdict == "hotdog":
            return self.evidence >= self.enter and self.last_step > 0
        if self.verdict == "not_hotdog":
            return self.evidence <= NOT_HOTDOG and self.last_step < 0
        return False

    @property
    def firm(self) -> bool:
        """Settled, and the last look FIRM or more beyond the line on the verdict's side: it
        may stand for a new scene's unchanged frames at once (seefood.live.reuse)."""
        return self.settled and abs(self.last_step) >= FIRM

    def may_glance(self, now: float) -> bool:
        """Whether a changed frame may be judged from the classifier's memory (see
        seefood.detection.memory): settled, and looked at within GLANCE_SECONDS. The
        memory counts the frames the models saw; this bounds the time, for reused frames
        in between do not count there (a new dish after a second of a still hot dog was
        glanced at with the hot dog's looks)."""
        return self.settled and self.last is not None and now - self.last <= GLANCE_SECONDS

    def look(self, score: float, threshold: float, now: float) -> LiveVerdictName:
        """Add one frame's score (hotdog from `threshold` up); the verdict after it."""
        if self.last is not None and now - self.last > MAX_GAP:
            self.evidence, self.looks, self.verdict, self.held = 0.0, 0, "pending", 0
            self.last_step = 0.0
        self.last = now
        self.looks += 1
        self.held += 1
        step = min(max(logit(score) - logit(threshold), -MAX_LOOK), MAX_LOOK)
        self.evidence = min(max(DECAY * self.evidence + step, -CAP), CAP)
        self.last_step = step
        self.low = self.low + 1 if self.evidence <= LEAVE else 0
        verdict = self._next()
        if verdict != self.verdict:
            self.verdict, self.held = verdict, 1
        return self.verdict

    def _next(self) -> LiveVerdictName:
        if self.looks < MIN_LOOKS:
            return self.verdict
        if self.verdict == "hotdog":
            return "hotdog" if self.low < MIN_LOOKS else "not_hotdog"
        if self.evidence >= self.enter:
            return "hotdog"
        if self.verdict == "pending" and self.evidence > NOT_HOTDOG and self.looks < PATIENCE:
            return "pending"
        return "not_hotdog"

    def to_dict(self) -> LiveDict:
        return {"verdict": self.verdict, "evidence": round(self.evidence, 3), "frames": self.held}
