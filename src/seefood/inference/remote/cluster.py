"""Joining a Ray cluster: the server as its driver, a machine as a worker node."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import sys
import threading
from pathlib import Path

# A Ray driver exits 60 s after it loses the cluster's head (GCS). seefood's server must
# outlive the head: its local daemons go on serving, the remote proxies just stay down.
_HEAD_PATIENCE = {"RAY_gcs_rpc_server_reconnect_timeout_s": str(365 * 24 * 3600)}


PROBE_TIMEOUT = 5.0  # seconds for the head's port to accept a connection


# Ray starts its workers at niceness 15, for the raylet's sake: a seefood worker is what its
# node is for, and at 15 any other load on the machine starves the inference.
WORKER_NODE_ENV = {"RAY_worker_niceness": "0"}


class RayMissing(RuntimeError):
    def __init__(self) -> None:
        super().__init__(
            "remote workers need Ray: from a checkout, pip install -c constraints.txt '.[ray]'"
        )


def connect(address: str) -> bool:
    """Join the cluster at `address` (host:port of its head, or auto) as a driver; False if
    this process had already joined one (tests start their own)."""
    for name, value in _HEAD_PATIENCE.items():
        os.environ.setdefault(name, value)
    try:
        import ray
    except ImportError:
        raise RayMissing() from None
    if ray.is_initialized():
        return False
    _check_reachable(address)
    on_sigterm = signal.getsignal(signal.SIGTERM)
    ray.init(
        address=address,
        namespace="seefood",
        log_to_driver=False,
        logging_level=logging.WARNING,
    )
    # Ray's driver turns SIGTERM into sys.exit(15); the server keeps its own way of stopping.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_sigterm)
    return True


def _check_reachable(address: str) -> None:
    """Fail at once where no head listens: with the patience above, ray.init would retry
    for ever."""
    from ray._private.services import canonicalize_bootstrap_address  # Ray is pinned

    resolved = canonicalize_bootstrap_address(address)  # "auto": this machine's cluster
    if not resolved:
        raise ConnectionError("no Ray cluster runs on this machine (ray start --head)")
    host, _, port = resolved.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=PROBE_TIMEOUT).close()
    except (OSError, ValueError):
        raise ConnectionError(f"nothing answers at {resolved}") from None


def disconnect() -> None:
    import ray

    ray.shutdown()


def worker_node_command(
    address: str, *, cpus: int | None = None, gpus: int | None = None, block: bool = True
) -> list[str]:
    """`ray start` for a node that hosts one seefood worker."""
    ray = shutil.which("ray", path=str(Path(sys.executable).parent)) or shutil.which("ray")
    if ray is None:
        raise RayMissing()
    command = [ray, "start", f"--address={address}", f"--resources={json.dumps({'seefood': 1})}"]
    if cpus is not None:
        command.append(f"--num-cpus={cpus}")
    if gpus is not None:
        command.append(f"--num-gpus={gpus}")
    if block:
        command.append("--block")
    return command
