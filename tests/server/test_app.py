"""The app factory: every room of the server mounted, and the guard chosen by the address."""

import httpx

from seefood.config import Settings
from seefood.detection.hotdog import HotdogEngine
from seefood.server.app import create_app
from tests.conftest import LiveServer


def test_the_page_the_api_health_and_docs_are_all_there(live_server: LiveServer) -> None:
    paths = set(httpx.get(f"{live_server.url}/openapi.json").json()["paths"])
    assert {"/v1/detect", "/healthz", "/v1/webrtc/offer"} <= paths
    for path in ("/", "/static/main.js", "/docs", "/metrics"):
        assert httpx.get(f"{live_server.url}{path}").status_code == 200, path


def test_on_loopback_it_is_open_and_beyond_it_needs_a_token(engine: HotdogEngine) -> None:
    assert create_app(Settings(), [engine]).state.policy.open
    network = create_app(Settings(host="0.0.0.0", token="t" * 24), [engine])
    assert network.state.policy.token == "t" * 24
