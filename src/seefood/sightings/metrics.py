"""Prometheus metrics of sightings and their webhooks (in the app's registry, on /metrics)."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge


class SightingMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.sightings = Counter(
            "seefood_sightings_total", "Sightings kept", ["source"], registry=registry
        )
        self.lost = Counter(
            "seefood_sightings_lost_total",
            "Sightings not kept: the recorder's queue was full, or the disk failed",
            registry=registry,
        )
        self.webhooks = Counter(
            "seefood_webhook_deliveries_total",
            "Webhook deliveries by outcome: delivered, failed (every try), dropped (queue full)",
            ["outcome"],
            registry=registry,
        )
        self.store_bytes = Gauge(
            "seefood_sightings_store_bytes",
            "Bytes the sightings take on disk: database and snapshots",
            registry=registry,
        )
        for source in ("live", "still"):
            self.sightings.labels(source)
        for outcome in ("delivered", "failed", "dropped"):
            self.webhooks.labels(outcome)

    def watch_store(self, size: Callable[[], int]) -> None:
        self.store_bytes.set_function(lambda: float(size()))

    def webhook_outcome(self, _url: str, outcome: str) -> None:
        # Not labelled by URL: it may carry a receiver's secret in its query.
        self.webhooks.labels(outcome).inc()
