"""Sightings' Prometheus series exist from the start, at zero."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest

from seefood.sightings.metrics import SightingMetrics


def test_series_start_at_zero_and_count() -> None:
    registry = CollectorRegistry()
    metrics = SightingMetrics(registry)
    metrics.watch_store(lambda: 1234)
    metrics.webhook_outcome("http://x/?token=secret", "failed")
    text = generate_latest(registry).decode()
    assert 'seefood_sightings_total{source="live"} 0.0' in text
    assert 'seefood_webhook_deliveries_total{outcome="failed"} 1.0' in text
    assert "seefood_sightings_store_bytes 1234.0" in text
    assert "secret" not in text, "a webhook's URL is not a label"
