"""The HTTP section, and the whole of what `seefood serve` runs on."""

import pytest
from pydantic import ValidationError

from seefood.server.settings import HttpSettings, ServerSettings


def test_http_defaults_are_loopback_and_bounded() -> None:
    http = HttpSettings()
    assert (http.host, http.port, http.token) == ("127.0.0.1", 8000, None)
    assert http.max_upload_bytes == 20 * 1024 * 1024 and http.rate_limit == 20
    with pytest.raises(ValidationError, match="port"):
        HttpSettings(port=70_000)


def test_the_server_needs_someone_to_infer() -> None:
    with pytest.raises(ValidationError, match="SEEFOOD_DAEMONS=0 needs remote workers"):
        ServerSettings(daemons=0)
    assert ServerSettings(daemons=0, ray_address="auto").daemons == 0


def test_every_section_is_in_it_once() -> None:
    fields = list(ServerSettings.model_fields)
    assert len(fields) == len(set(fields)) > 50
    assert fields[0] == "model", "--help lists the engine's first"
