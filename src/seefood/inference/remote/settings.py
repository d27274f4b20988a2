"""Remote workers' settings: the Ray cluster to join, and how long a worker may take."""

from __future__ import annotations

from seefood.inference.remote.proxy import DEFAULT_DEADLINE
from seefood.setting import Section, setting


class RemoteSettings(Section):
    ray_address: str | None = setting(
        None,
        "a Ray cluster's head (host:port, or auto on a node of it): its nodes started with "
        "`seefood worker` run inference daemons too (from a checkout: pip install -c "
        "constraints.txt '.[ray]')",
        flag=("serve",),
    )
    worker_deadline_seconds: float = setting(
        DEFAULT_DEADLINE,
        "longest a remote worker may take over a batch before its requests go to other "
        "daemons and it counts as down until it answers again",
        gt=0,
    )
