"""Starting the server: where to open it, with the token, and uvicorn with the limits."""

from seefood.detection.hotdog import HotdogEngine
from seefood.server.app import create_app
from seefood.server.connections import LimitedH11Protocol
from seefood.server.run import addresses_to_open, startup_lines, uvicorn_config
from seefood.server.settings import HttpSettings


def test_the_link_to_open_carries_a_new_token_and_says_how_to_keep_one() -> None:
    local = HttpSettings(port=8123)
    assert startup_lines(local, https=False, token=None) == ["open http://127.0.0.1:8123/"]
    network = HttpSettings(host="192.0.2.7", port=8443)
    lines = startup_lines(network, https=True, token="abc")
    assert lines[0] == "open https://192.0.2.7:8443/#token=abc"
    assert "SEEFOOD_TOKEN" in lines[1], "a token made for this run says how to keep one"
    given = HttpSettings(host="192.0.2.7", token="abc")
    assert len(startup_lines(given, https=True, token="abc")) == 1


def test_every_interface_is_listed_for_the_wildcard_addresses() -> None:
    assert addresses_to_open(HttpSettings(host="10.1.2.3")) == ["10.1.2.3"]
    assert all(":" not in a for a in addresses_to_open(HttpSettings(host="0.0.0.0")))
    [shown] = startup_lines(HttpSettings(host="::1"), https=False, token=None)
    assert shown == "open http://[::1]:8000/"


def test_uvicorn_gets_the_http_limits(engine: HotdogEngine) -> None:
    settings = HttpSettings(header_timeout_seconds=3, max_connections_per_client=5)
    config = uvicorn_config(create_app(None, [engine]), settings)
    assert isinstance(config.http, type) and issubclass(config.http, LimitedH11Protocol)
    assert config.http.limits is settings
    assert config.h11_max_incomplete_event_size == 16 * 1024
