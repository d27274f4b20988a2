"""Pacing: how fast each camera should send, from what the daemons can serve.

Every frame a camera sends costs its phone uplink and battery and the server a decode, but
each stream only ever gets its share of the inference capacity: the newest-frame sink
throws the rest away. So the server tells each camera the frame rate it will use, its
share of the daemons' measured rate with HEADROOM on top (so that a fresh frame is waiting
whenever its turn comes), and lifts the limit when a stream has the daemons to itself.
"""

from __future__ import annotations

HEADROOM = 1.25  # frames sent per inference the stream can get
SMOOTHING = 0.2  # weight of the newest service time in the running mean
MIN_FPS = 1.0  # never ask a camera for less: the verdict would go stale
CHANGE = 0.1  # a new pace is sent when it differs from the last by more than this share
DETAIL = 2  # a camera's frames need at most this many times the models' input side


def max_side(input_size: tuple[int, int]) -> int:
    """The longest frame side worth sending: the detector sees a 416 px letterbox, and the
    classifier's crops of small boxes want about twice that detail."""
    return DETAIL * max(input_size)


class ServiceRate:
    """The running mean of one daemon's seconds per inference."""

    def __init__(self) -> None:
        self.seconds: float | None = None

    def observe(self, seconds: float, inferences: int) -> None:
        if inferences <= 0 or seconds <= 0:
            return
        each = seconds / inferences
        self.seconds = (
            each if self.seconds is None else self.seconds + SMOOTHING * (each - self.seconds)
        )

    @property
    def per_second(self) -> float | None:
        return 1.0 / self.seconds if self.seconds else None


def fair_fps(capacity: float | None, streams: int, cap: float | None = None) -> float | None:
    """Frames per second for each of `streams` cameras: None means the camera's own rate
    (one stream alone, or nothing measured yet), `cap` an operator's limit on top."""
    share = None
    if capacity is not None and streams > 1:
        share = max(MIN_FPS, capacity / streams * HEADROOM)
    if cap is not None:
        share = cap if share is None else min(share, cap)
    return None if share is None else round(share, 1)


def changed(old: float | None, new: float | None) -> bool:
    """Whether `new` is worth telling a camera that was told `old`."""
    if old is None or new is None:
        return old is not new
    return abs(new - old) > CHANGE * old
