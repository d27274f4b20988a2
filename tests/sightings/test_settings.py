"""Sightings' settings: off means nothing is built; webhooks need their secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from seefood.sightings.settings import SightingsSettings, build_recorder, default_data_dir


def test_off_builds_nothing_and_writes_nothing(tmp_path: Path) -> None:
    settings = SightingsSettings(sightings="off", data_dir=tmp_path / "d")
    assert build_recorder(settings, CollectorRegistry()) is None
    assert not (tmp_path / "d").exists()


def test_webhooks_are_signed_or_refused() -> None:
    with pytest.raises(ValidationError, match="needs SEEFOOD_WEBHOOK_SECRET"):
        SightingsSettings(webhook_urls=["http://x/"])
    with pytest.raises(ValidationError, match="is not an http"):
        SightingsSettings(webhook_urls=["ftp://x/"], webhook_secret="k")
    with pytest.raises(ValidationError, match="base64"):
        SightingsSettings(webhook_urls=["http://x/"], webhook_secret="whsec_!!")


def test_the_data_directory_follows_xdg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", "/srv/data")
    assert default_data_dir() == Path("/srv/data/seefood")
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_data_dir() == Path.home() / ".local" / "share" / "seefood"
