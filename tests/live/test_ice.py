"""Which host addresses ICE gathers on, and the STUN/TURN servers handed to peers."""

import base64
import hashlib
import hmac
from collections.abc import Iterator

import aioice.ice
import pytest

from seefood.live import aiortc_patch
from seefood.live.ice import IceServers, is_loopback, use_host_addresses


@pytest.fixture(autouse=True)
def restore() -> Iterator[None]:
    yield
    aiortc_patch.set_host_addresses(None)


def test_loopback_names() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.1.2.3", "localhost", "::1"]))
    assert not any(map(is_loopback, ["0.0.0.0", "192.168.1.20", "example.org", ""]))


def test_explicit_addresses_are_used_as_given() -> None:
    assert use_host_addresses(["10.9.8.7"], "127.0.0.1") == ["10.9.8.7"]
    assert aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=True) == ["10.9.8.7"]


def test_on_loopback_only_loopback_is_offered() -> None:
    assert use_host_addresses(None, "127.0.0.1") == ["127.0.0.1"]
    assert aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=True) == ["127.0.0.1"]
    assert "127.0.0.1" not in use_host_addresses(None, "0.0.0.0")


def test_turn_credentials_go_to_turn_urls_only() -> None:
    urls = ("stun:stun.example:3478", "turn:turn.example:3478")
    stun, turn = IceServers(urls, "u", "p").servers()
    assert (stun.urls, stun.username, stun.credential) == ("stun:stun.example:3478", None, None)
    assert (turn.urls, turn.username, turn.credential) == ("turn:turn.example:3478", "u", "p")


def test_turn_rest_credentials_expire() -> None:
    """coturn's use-auth-secret: username "<expiry>:<name>", credential base64 HMAC-SHA1."""
    ice = IceServers(("turn:t.example",), turn_secret="north", ttl=600)
    [turn] = ice.servers(now=1_000_000)
    assert turn.username == "1000600:seefood"
    expected = hmac.new(b"north", b"1000600:seefood", hashlib.sha1).digest()
    assert turn.credential == base64.b64encode(expected).decode()
    assert ice.servers(now=2_000_000)[0].credential != turn.credential
