"""Settings become components: milliseconds to seconds, bitrate hints, ICE servers."""

from seefood.config import Settings
from seefood.server.wiring import build_engines, service_config, session_limits


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
