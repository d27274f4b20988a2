from pathlib import Path

import pytest
from pydantic import ValidationError

from seefood.cli.settings import describe
from seefood.config import Settings, SettingsError, load_settings


def test_environment_variables_override_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEEFOOD_THRESHOLD", "0.4")
    monkeypatch.setenv("SEEFOOD_MODEL", "/models/x.onnx")
    monkeypatch.setenv("SEEFOOD_PORT", "9000")
    s = Settings()
    assert (s.threshold, s.model, s.port) == (0.4, Path("/models/x.onnx"), 9000)
    assert Settings(threshold=0.5).threshold == 0.5  # explicit values (CLI flags) win


def test_invalid_values_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEEFOOD_THRESHOLD", "2")
    with pytest.raises(ValidationError, match="threshold"):
        Settings()


def test_problems_name_the_flag_or_variable_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"threshold": 5.0, "port": 70000})
    assert str(caught.value).splitlines() == [
        "--threshold: must be at most 1.0 (got 5.0)",
        "--port: must be at most 65535 (got 70000)",
    ]
    monkeypatch.setenv("SEEFOOD_BATCH_SIZE", "0")
    monkeypatch.setenv("SEEFOOD_THRESHOLD", "abc")
    with pytest.raises(SettingsError) as caught:
        load_settings({})
    assert "SEEFOOD_THRESHOLD: must be a number (got 'abc')" in str(caught.value)
    assert "SEEFOOD_BATCH_SIZE: must be at least 1 (got '0')" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('["127.0.0.1", "10.0.0.2"]', ["127.0.0.1", "10.0.0.2"]),
        ("127.0.0.1, 10.0.0.2", ["127.0.0.1", "10.0.0.2"]),
        ("127.0.0.1", ["127.0.0.1"]),
        ("", []),
    ],
)
def test_lists_take_json_or_commas(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: list[str]
) -> None:
    monkeypatch.setenv("SEEFOOD_ICE_HOST_ADDRESSES", value)
    monkeypatch.setenv("SEEFOOD_ICE_SERVERS", value.replace("127.0.0.1", "stun:a"))
    assert load_settings({}).ice_host_addresses == expected


def test_every_setting_is_described_with_a_real_default() -> None:
    rows = {row.variable: row for row in describe()}
    assert set(rows) >= {"SEEFOOD_MODEL", "SEEFOOD_THRESHOLD", "SEEFOOD_PORT"}
    assert all(row.description and row.default for row in rows.values())
    assert not any(
        "Undefined" in row.default or "default" in row.description for row in rows.values()
    )
    assert rows["SEEFOOD_THRESHOLD"].flag == "--threshold"
    assert rows["SEEFOOD_ICE_SERVERS"].default == "none"


def test_no_local_daemons_needs_remote_workers() -> None:
    from seefood.config import SettingsError, load_settings

    with pytest.raises(SettingsError, match=r"^SEEFOOD_DAEMONS=0 needs .*SEEFOOD_RAY_ADDRESS$"):
        load_settings({"daemons": 0})
    assert load_settings({"daemons": 0, "ray_address": "auto"}).daemons == 0
