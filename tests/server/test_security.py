"""Who may use the server: Host and Origin checks, the access token, rate limits, headers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from seefood.config import Settings
from seefood.detection.hotdog import HotdogEngine
from seefood.server.app import create_app
from seefood.server.security import Policy, RateLimiter, host_of
from seefood.server.settings import HttpSettings
from tests.conftest import LiveServer, jpeg_bytes, noise_image

TOKEN = "s3cret-token"


def test_host_of() -> None:
    assert host_of("127.0.0.1:8000") == "127.0.0.1"
    assert host_of("Example.ORG") == "example.org"
    assert host_of("[::1]:8000") == "::1"
    assert host_of("https://phone.local:8443") == "phone.local"


def test_rate_limiter_is_a_token_bucket() -> None:
    limiter = RateLimiter(rate=2, burst=3)
    assert [limiter.allow("a", now=0.0) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b", now=0.0), "per client"
    assert limiter.allow("a", now=0.5) and not limiter.allow("a", now=0.5)


def test_loopback_is_open_and_a_network_needs_a_token() -> None:
    assert Policy.for_host(HttpSettings(host="127.0.0.1")).open
    network = Policy.for_host(HttpSettings(host="0.0.0.0"))
    assert not network.open and network.token and len(network.token) >= 20
    assert Policy.for_host(HttpSettings(host="0.0.0.0", token="mine")).token == "mine"


@pytest.fixture(scope="module")
def network(engine: HotdogEngine) -> Iterator[LiveServer]:
    """A server configured as if serving a network (bound to 127.0.0.1 for the test)."""
    settings = Settings(host="0.0.0.0", token=TOKEN, rate_limit=5)
    server = LiveServer(create_app(settings, [engine]))
    yield server
    server.stop()


def _detect(url: str, **headers: str) -> httpx.Response:
    body = jpeg_bytes(noise_image(64, 48))
    return httpx.post(
        f"{url}/v1/detect", content=body, headers={"content-type": "image/jpeg", **headers}
    )


def test_on_a_network_the_api_needs_the_token_but_the_page_does_not(
    network: LiveServer,
) -> None:
    refused = _detect(network.url)
    assert refused.status_code == 401 and "#token=" in refused.json()["detail"]
    assert refused.headers["www-authenticate"] == "Bearer"
    assert _detect(network.url, authorization="Bearer wrong").status_code == 401
    assert _detect(network.url, authorization=f"Bearer {TOKEN}").status_code == 200
    for path in ("/", "/static/main.js", "/healthz", "/docs"):
        assert httpx.get(f"{network.url}{path}").status_code == 200, path
    assert httpx.get(f"{network.url}/metrics").status_code == 401
    # /healthz stays open for load balancers, and says no more than that it is up.
    assert httpx.get(f"{network.url}/healthz").json() == {"status": "ok"}
    told = httpx.get(f"{network.url}/healthz", headers={"authorization": f"Bearer {TOKEN}"})
    assert {"version", "model", "sessions", "workers"} <= told.json().keys()
    assert httpx.get(f"{network.url}/v1/webrtc/config").status_code == 401
    spec = httpx.get(f"{network.url}/openapi.json").json()
    assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_on_a_network_each_client_is_rate_limited(network: LiveServer) -> None:
    with httpx.Client() as http:
        codes = [http.get(f"{network.url}/healthz").status_code for _ in range(40)]
    assert 429 in codes and codes[0] == 200, codes


def test_unknown_host_names_and_foreign_origins_are_refused(live_server: LiveServer) -> None:
    """On loopback too: DNS rebinding and cross-site posts reach local servers."""
    evil = httpx.get(f"{live_server.url}/healthz", headers={"host": "evil.example"})
    assert evil.status_code == 421 and "SEEFOOD_ALLOWED_HOSTS" in evil.json()["detail"]
    assert httpx.get(f"{live_server.url}/healthz", headers={"host": "localhost"}).is_success
    foreign = _detect(live_server.url, origin="http://evil.example")
    assert foreign.status_code == 403
    assert _detect(live_server.url, origin=live_server.url).status_code == 200
    assert _detect(live_server.url).status_code == 200, "no Origin: not from a browser page"


def test_every_response_carries_the_security_headers(live_server: LiveServer) -> None:
    for path in ("/", "/healthz", "/nope"):
        r = httpx.get(f"{live_server.url}{path}")
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
