"""Remote workers' section: the proxy's own deadline by default, in seconds."""

import pytest
from pydantic import ValidationError

from seefood.inference.remote.proxy import DEFAULT_DEADLINE
from seefood.inference.remote.settings import RemoteSettings


def test_no_cluster_by_default_and_the_proxys_deadline() -> None:
    remote = RemoteSettings()
    assert remote.ray_address is None and remote.worker_deadline_seconds == DEFAULT_DEADLINE
    with pytest.raises(ValidationError, match="worker_deadline_seconds"):
        RemoteSettings(worker_deadline_seconds=0)
