"""Prometheus metrics for the broker, the daemons and the streams (served on `/metrics`)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from seefood.inference.broker import Drop, Served

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56)
BATCH_BUCKETS = (1, 2, 3, 4, 6, 8, 12, 16, 32)


class Metrics:
    """One set of metrics in its own registry, so that several apps can live in one process."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.queue_length = Gauge(
            "seefood_broker_queue_length", "Requests waiting for a daemon", registry=r
        )
        self.sojourn = Histogram(
            "seefood_broker_sojourn_seconds",
            "Time a request waited in the broker's queue before a daemon took it or it was dropped",
            ["outcome"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.drops = Counter(
            "seefood_drops_total",
            "Frames not inferred: dropped by CoDel, or replaced by a newer frame in the sink",
            ["reason"],
            registry=r,
        )
        self.inference = Histogram(
            "seefood_inference_seconds",
            "Model run time per batch, conversion and pre/post-processing included",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.batch_size = Histogram(
            "seefood_inference_batch_size",
            "Requests per model run",
            buckets=BATCH_BUCKETS,
            registry=r,
        )
        # Per-stream series are labelled by slot (0, 1, ...: reused as streams come and go),
        # never by a session's id, which is a client's business and not the public's.
        self.frames_in = Counter(
            "seefood_stream_frames_in_total", "Frames received per stream", ["slot"], registry=r
        )
        self.inferences_out = Counter(
            "seefood_stream_inferences_total",
            "Results delivered per stream",
            ["slot"],
            registry=r,
        )
        self.frames_total = Counter(
            "seefood_frames_total", "Frames received over all streams", registry=r
        )
        self.streams = Gauge("seefood_streams", "Streams currently open", registry=r)
        # Remote workers (inference/remote/), labelled by the worker's name (its node).
        self.worker_inferences = Counter(
            "seefood_worker_inferences_total",
            "Results a remote worker returned",
            ["worker"],
            registry=r,
        )
        self.worker_failures = Counter(
            "seefood_worker_failures_total",
            "Calls to a remote worker that failed or missed their deadline",
            ["worker"],
            registry=r,
        )
        self.worker_round_trip = Histogram(
            "seefood_worker_round_trip_seconds",
            "A call to a remote worker, encoding and transfer included",
            ["worker"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.worker_in_flight = Gauge(
            "seefood_worker_in_flight",
            "Requests a remote worker holds now",
            ["worker"],
            registry=r,
        )
        for reason in ("codel", "replaced", "worker"):
            self.drops.labels(reason)

    def observe_outcome(self, outcome: Served[Any] | Drop) -> None:
        """One request's end: its sojourn by outcome, and the drop if it was dropped."""
        if isinstance(outcome, Drop):
            self.sojourn.labels("dropped").observe(outcome.sojourn)
            self.drops.labels(outcome.reason).inc()
        else:
            self.sojourn.labels("served").observe(outcome.sojourn)

    def watch_queue(self, length: Callable[[], int]) -> None:
        self.queue_length.set_function(lambda: float(length()))

    def forget_worker(self, worker: str) -> None:
        for metric in (
            self.worker_inferences,
            self.worker_failures,
            self.worker_round_trip,
            self.worker_in_flight,
        ):
            with contextlib.suppress(KeyError):
                metric.remove(worker)

    def forget_stream(self, slot: int) -> None:
        """Per-stream series go when the stream does, so that a slot's next stream starts at 0."""
        for metric in (self.frames_in, self.inferences_out):
            with contextlib.suppress(KeyError):
                metric.remove(str(slot))
