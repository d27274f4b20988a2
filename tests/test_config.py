from pathlib import Path

import pytest
from pydantic import ValidationError

from seefood.config import Settings, describe


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


def test_every_setting_is_described() -> None:
    rows = describe()
    assert {name for name, _, _ in rows} >= {"SEEFOOD_MODEL", "SEEFOOD_THRESHOLD", "SEEFOOD_PORT"}
    assert all(desc for _, _, desc in rows)
