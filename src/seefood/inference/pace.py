"""Pacing: how fast each camera should send, from what the daemons can serve.

Every frame a camera sends costs its phone uplink and battery and the server a decode, but
each stream only ever gets its share of the inference capacity: the newest-frame sink
throws the rest away. So the server tells each camera the frame rate it will use: its share
of what the daemons serve one request at a time, and no limit while a stream has the
daemons to itself.

The share is of the one-at-a-time rate, not of what batches reach. A daemon runs together
whatever is queued when it comes back for work (SEEFOOD_MAX_BATCH), and a batch costs less
per frame (here 41 ms alone, 34 in twos, 29 in fours), so frames sent at the single rate
leave the daemons a margin that batching takes up when arrivals bunch: the queue stays a
batch long, and every frame sent is inferred. Paced to what batches reach, the cameras
would be sent faster as the batches grew, until the queue stood full and every frame had
waited a round of the others (bench/bench_replay.py, 16 streams, one daemon, one run each: p95
515-578 ms paced 10-25% over the batches' rate and 302 ms at it; 199 and 242 ms at 1.0 and
1.15 times the single rate).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

HEADROOM = 1.0  # frames sent per inference the stream can get one at a time (see above)
SMOOTHING = 0.2  # weight of the newest service time in the running mean
STALE = 50  # runs after which a batch size not seen again is not trusted
MIN_FPS = 1.0  # never ask a camera for less: the verdict would go stale
LIGHT = 0.8  # a stream asking for less than this share of the level leaves the rest
MAX_GAIN = 2.0  # the pace is at most this many times the equal share


class ServiceRate:
    """Running means of one daemon's seconds per model run, by batch size."""

    def __init__(self) -> None:
        self.seconds: dict[int, float] = {}  # batch size -> mean seconds per run
        self._last: dict[int, int] = {}  # batch size -> the run it was last seen in
        self._runs = 0

    def observe(self, seconds: float, inferences: int) -> None:
        if inferences <= 0 or seconds <= 0:
            return
        # A size seen again after long starts afresh, not from a stale mean.
        old = self.seconds.get(inferences) if self._recent(inferences) else None
        self._runs += 1
        self._last[inferences] = self._runs
        self.seconds[inferences] = seconds if old is None else old + SMOOTHING * (seconds - old)

    @property
    def single(self) -> float | None:
        """Seconds for one request alone: measured, or else from the line through the two
        smallest batch sizes seen (a daemon that has never run one alone), or else the share
        of the only size seen; never more than a batch seen in the last STALE runs took (a
        slow first run alone must not hold the pace down while the daemon runs batches; a
        size seen again after that long starts its mean afresh)."""
        runs = self.seconds
        if not runs:
            return None
        sizes = sorted(runs)
        k0 = sizes[0]
        if k0 == 1:
            estimate = runs[1]
        elif len(sizes) == 1:
            estimate = runs[k0] / k0
        else:
            k1 = sizes[1]
            per_item = (runs[k1] - runs[k0]) / (k1 - k0)
            estimate = max(runs[k0] - per_item * (k0 - 1), runs[k0] / k0)
        return min([estimate, *(v for k, v in runs.items() if self._recent(k))])

    def _recent(self, size: int) -> bool:
        """Whether `size` ran within the last STALE runs."""
        return size in self._last and self._runs - self._last[size] <= STALE

    @property
    def per_second(self) -> float | None:
        """Requests served a second one at a time."""
        single = self.single
        return 1.0 / single if single else None


def water_level(capacity: float, demands: Sequence[float]) -> float:
    """Max-min fair share: streams that ask for less than LIGHT of an equal split of what
    is left keep what they ask, and the rest split the remainder (inf: all are light)."""
    remaining, heavy = capacity, len(demands)
    for demand in sorted(demands):
        if demand >= LIGHT * remaining / heavy:
            break
        remaining -= demand
        heavy -= 1
    return remaining / heavy if heavy else math.inf


def fair_fps(
    capacity: float | None,
    streams: int,
    cap: float | None = None,
    demands: Sequence[float] = (),
) -> float | None:
    """Frames per second for each of `streams` cameras: None means the camera's own rate
    (one stream alone, or nothing measured yet), `cap` an operator's limit on top.

    `demands` are the streams' inferences asked a second lately. A camera whose frames
    mostly repeat the last result (seefood.live.reuse) asks for few, and leaves the rest
    of its share to the others: the pace rises to the water level, at most MAX_GAIN times
    the equal share (every frame sent still costs a decode)."""
    share = None
    if capacity is not None and streams > 1:
        equal = capacity / streams * HEADROOM
        if demands:
            equal = min(MAX_GAIN * equal, water_level(capacity * HEADROOM, demands))
        share = max(MIN_FPS, equal)
    if cap is not None:
        share = cap if share is None else min(share, cap)
    return None if share is None else round(share, 1)
