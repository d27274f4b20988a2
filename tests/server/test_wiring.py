"""Settings become components: each takes its own section; engines share the cores."""

import httpx
import pytest

from seefood.config import Settings
from seefood.detection.hotdog import HotdogEngine
from seefood.detection.settings import build_engine
from seefood.inference.service import InferenceService
from seefood.live.session_manager import SessionManager
from seefood.server import wiring
from seefood.server.app import create_app
from seefood.server.wiring import Models, build_engines
from tests.conftest import LiveServer


def test_the_service_and_the_sessions_take_their_sections(engine: HotdogEngine) -> None:
    settings = Settings(
        codel_target_seconds=0.02,
        codel_interval_seconds=0.1,
        max_batch=3,
        max_sessions=3,
        session_idle_seconds=4,
        ice_servers=["stun:s.example", "turn:t.example"],
        ice_username="u",
        ice_credential="p",
    )
    service = InferenceService([engine], settings)
    queue = service.broker._queue
    assert (queue.target, queue.interval) == (0.02, 0.1)
    daemon = service.local_daemons[0]
    assert daemon.batching.size == 3
    sessions = SessionManager(service, settings)
    assert sessions.settings.max_sessions == 3
    assert [(s.urls, s.username) for s in sessions.ice.servers()] == [
        ("stun:s.example", None),
        ("turn:t.example", "u"),
    ]
    assert sessions.bitrate is not None and sessions.bitrate.start_kbps == 1000
    assert SessionManager(service, Settings(start_bitrate_kbps=0)).bitrate is None


def test_one_engine_per_daemon_sharing_the_threads() -> None:
    engines = build_engines(*[Settings(daemons=2, threads=1)] * 2)
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
