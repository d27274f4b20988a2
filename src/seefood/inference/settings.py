"""The inference service's settings: its daemons, their batches, the broker's queue, the pace."""

from __future__ import annotations

import os

from seefood.inference.broker import DEFAULT_INTERVAL, DEFAULT_TARGET
from seefood.inference.daemon import Batching
from seefood.inference.requestor import DEFAULT_BACKOFF
from seefood.setting import Section, setting

MAX_DEFAULT_DAEMONS = 4


def default_daemons(cores: int | None) -> int:
    """One daemon per core, up to four (then more threads each): the models are small, and
    two sessions running at once served 1.4x what one of two threads did here (two cores:
    37-40 against 25-29 frames/s of 8 dev hot-dog photos, one frame at a time each)."""
    return max(1, min(cores or 1, MAX_DEFAULT_DAEMONS))


def default_threads(cores: int | None, daemons: int) -> int:
    """onnxruntime threads per session: the cores shared among the daemons, but two while
    there are no more daemons than cores, so that one stream alone (one frame in flight, one
    daemon busy) still has two cores: 26 frames/s rather than 20 with one thread, while two
    daemons of two threads each on two cores served 0.93-0.96 of what two of one thread did.
    More daemons than cores get one thread each."""
    cores = cores or 1
    if daemons > cores:
        return 1
    return min(cores, max(2, cores // max(daemons, 1)))


class InferenceSettings(Section):
    daemons: int = setting(
        description="local inference daemons in `serve`, each with its own sessions (0: only "
        "remote workers, see SEEFOOD_RAY_ADDRESS)",
        factory=lambda: default_daemons(os.cpu_count()),
        shown=f"one per core, up to {MAX_DEFAULT_DAEMONS}",
        ge=0,
        le=64,
    )
    max_batch: int = setting(
        4,
        "most queued requests a daemon runs as one batch (what is queued when it comes back "
        "for work: a batch of four costs 0.7 of four runs alone)",
        ge=1,
        le=64,
    )
    max_batch_wait_seconds: float = setting(
        0.0, "how long a daemon waits to fill a batch", ge=0, le=1
    )
    codel_target_seconds: float = setting(
        DEFAULT_TARGET, "broker queue: CoDel target sojourn", gt=0
    )
    codel_interval_seconds: float = setting(DEFAULT_INTERVAL, "broker queue: CoDel interval", gt=0)
    drop_backoff_seconds: float = setting(
        DEFAULT_BACKOFF, "a dropped stream asks again after this", ge=0
    )
    pace: bool = setting(
        True,
        "tell each camera the frame rate the server will use from it (its share of the "
        "inference capacity), so it sends no frames that would be thrown away",
    )
    max_stream_fps: float | None = setting(
        None,
        "the most frames per second asked of each camera; below that the server paces each "
        "to its share of the inference capacity",
        shown="none (one camera alone: its own rate)",
        ge=1,
    )

    def batching(self) -> Batching:
        return Batching(self.max_batch, self.max_batch_wait_seconds)
