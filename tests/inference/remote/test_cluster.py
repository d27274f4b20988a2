"""`seefood serve` on a Ray cluster made with the commands a user runs, and the head's death.

The cluster is `ray start --head --block` and `seefood worker` (two nodes, their own
processes), the server `seefood serve` with SEEFOOD_RAY_ADDRESS: each a subprocess, as on
real machines. Slow (over a minute): a Ray driver that loses the head exits after 60 s
unless told otherwise, and the server must outlive that.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("ray")

from seefood.inference.remote.cluster import worker_node_command
from seefood.types import RGBImage
from tests.conftest import jpeg_bytes

RAY_DEFAULT_PATIENCE = 60  # seconds a Ray driver waits for a lost head before it exits


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
            if value:
                return value
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def test_worker_node_command_offers_the_seefood_resource() -> None:
    command = worker_node_command("10.0.0.1:6379", cpus=4)
    assert Path(command[0]).name == "ray" and command[1] == "start"
    assert "--address=10.0.0.1:6379" in command
    assert '--resources={"seefood": 1}' in command
    assert "--num-cpus=4" in command and command[-1] == "--block"


@pytest.fixture()
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in reversed(started):  # the server first, then the nodes
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):  # and whatever Ray left behind
            os.killpg(proc.pid, signal.SIGKILL)


def test_serve_uses_a_worker_node_and_outlives_the_head(
    processes: list[subprocess.Popen[str]], hotdog_image: RGBImage, tmp_path: Path
) -> None:
    bin_dir = Path(sys.executable).parent
    gcs_port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAY_", "SEEFOOD_"))}

    def start(args: list[str], env: dict[str, str], output: Any) -> subprocess.Popen[str]:
        """A process in its own group (Ray's processes die with it), stopped after the test."""
        proc = subprocess.Popen(
            args, env=env, stdout=output, stderr=output, text=True, start_new_session=True
        )
        processes.append(proc)
        return proc

    head = start(
        [
            str(bin_dir / "ray"),
            "start",
            "--head",
            f"--port={gcs_port}",
            "--num-cpus=1",
            "--include-dashboard=false",
            "--disable-usage-stats",
            "--block",
        ],
        env,
        subprocess.DEVNULL,
    )
    address = f"{socket.gethostbyname(socket.gethostname())}:{gcs_port}"
    time.sleep(3)  # the head's GCS listening before anyone joins
    assert head.poll() is None, "ray start --head failed"
    worker = start(
        [str(bin_dir / "seefood"), "worker", "--address", address, "--num-cpus", "1"],
        env,
        subprocess.DEVNULL,
    )
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = start(
        [str(bin_dir / "seefood"), "serve", "--port", str(port), "--threads", "1"],
        {**env, "SEEFOOD_RAY_ADDRESS": address, "SEEFOOD_DAEMONS": "1"},
        log,
    )
    url = f"http://127.0.0.1:{port}"

    def workers() -> list[dict[str, Any]]:
        workers: list[dict[str, Any]] = httpx.get(f"{url}/healthz").json()["workers"]
        return workers

    def detect() -> dict[str, Any]:
        image = jpeg_bytes(hotdog_image)
        r = httpx.post(
            f"{url}/v1/detect", content=image, headers={"content-type": "image/jpeg"}, timeout=30
        )
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    try:
        serving = wait_for(
            lambda: [w for w in workers() if w["state"] == "serving"], 180, "a serving worker"
        )
        assert "CPUExecutionProvider" in serving[0]["providers"]  # the fallback, always last
        assert httpx.get(f"{url}/healthz").json()["local_daemons"] == 1
        # Requests are served by both daemons, the remote one among them.
        wait_for(lambda: detect() and workers()[0]["inferences"] >= 1, 120, "a remote result")
        assert detect()["verdict"] == "hotdog"

        os.killpg(head.pid, signal.SIGKILL)  # the head machine fails: GCS, raylet, all
        os.killpg(worker.pid, signal.SIGKILL)
        lost = time.monotonic()
        while time.monotonic() - lost < RAY_DEFAULT_PATIENCE + 15:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            assert detect()["verdict"] == "hotdog"  # the local daemon serves alone
            time.sleep(2)
        assert [w["state"] for w in workers()] == ["down"]
        # And it still stops when asked, though the head cannot answer its goodbyes: as
        # without Ray, uvicorn shuts down and ends by the SIGTERM it was sent.
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == -signal.SIGTERM, (tmp_path / "serve.log").read_text()
        assert "Application shutdown complete" in (tmp_path / "serve.log").read_text()
    finally:
        log.close()
