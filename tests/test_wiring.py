"""Settings become components: milliseconds to seconds, bitrate hints, ICE servers."""

import httpx
import pytest

from seefood.config import Settings, build_engine
from seefood.server import wiring
from seefood.server.app import create_app
from seefood.server.wiring import Models, build_engines, service_config, session_limits

from .conftest import LiveServer


def test_service_config_in_seconds() -> None:
    config = service_config(
        Settings(codel_target_ms=20, codel_interval_ms=100, drop_backoff_ms=50, max_batch=4)
    )
    assert (config.target, config.interval, config.backoff) == (0.02, 0.1, 0.05)
    assert config.max_batch == 4


def test_session_limits() -> None:
    limits = session_limits(
        Settings(
            max_sessions=3,
            session_idle_seconds=4,
            ice_servers=["stun:s.example", "turn:t.example"],
            ice_username="u",
            ice_credential="p",
        )
    )
    assert (limits.max_sessions, limits.idle_timeout) == (3, 4)
    assert [(s.urls, s.username) for s in limits.ice.servers()] == [
        ("stun:s.example", None),
        ("turn:t.example", "u"),
    ]
    assert limits.bitrate is not None and limits.bitrate.start_kbps == 1000
    assert session_limits(Settings(start_bitrate_kbps=0)).bitrate is None


def test_one_engine_per_daemon_sharing_the_threads() -> None:
    engines = build_engines(Settings(daemons=2, threads=1))
    assert len(engines) == 2 and engines[0] is not engines[1]
    assert engines[0].describe()["layout"] == "nanodet"


def test_without_local_daemons_the_models_read_once_are_not_loaded_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `serve` with SEEFOOD_DAEMONS=0 loads a copy of the models to check them (a bad model
    # fails before the server starts) and hands what it read to the app.
    models = Models.of(build_engine(Settings(), 1))
    settings = Settings(daemons=0, ray_address="127.0.0.1:1")

    def no_second_load(*args: object) -> None:
        raise AssertionError("the models were loaded again")

    monkeypatch.setattr(wiring, "build_engine", no_second_load)
    monkeypatch.setattr(wiring, "start_remote_workers", lambda settings, service: None)
    live = LiveServer(create_app(settings, [], models))
    try:
        health = httpx.get(f"{live.url}/healthz").json()
    finally:
        live.stop()
    assert health["local_daemons"] == 0
    assert health["model"] == models.describe["model"] == "nanodet-g-int8.onnx"
