"""/healthz and /metrics: what the server runs and how it is doing."""

import httpx

from seefood.types import RGBImage
from tests.conftest import LiveServer, jpeg_bytes


def test_health(live_server: LiveServer) -> None:
    r = httpx.get(f"{live_server.url}/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["layout"] == "nanodet"
    assert r.json()["local_daemons"] == 1 and r.json()["workers"] == []  # no Ray cluster


def test_metrics_endpoint(live_server: LiveServer, hotdog_image: RGBImage) -> None:
    httpx.post(
        f"{live_server.url}/v1/detect",
        content=jpeg_bytes(hotdog_image),
        headers={"content-type": "image/jpeg"},
    )
    r = httpx.get(f"{live_server.url}/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    for name in (
        "seefood_broker_queue_length",
        "seefood_broker_sojourn_seconds_bucket",
        'seefood_drops_total{reason="codel"}',
        'seefood_drops_total{reason="replaced"}',
        "seefood_inference_seconds_bucket",
        "seefood_inference_batch_size_bucket",
    ):
        assert name in r.text, name
