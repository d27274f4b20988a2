"""`seefood stream` rides out what real networks do: a server restart, a line at the door."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from seefood import load_image
from seefood.client.reconnect import keep_streaming
from seefood.client.sources import file_frames
from seefood.client.stream import StreamClient
from seefood.config import Settings
from seefood.detection.hotdog import HotdogEngine
from seefood.server.app import create_app
from tests.conftest import LiveServer
from tests.videos import HOTDOGS, photo_video


@pytest.fixture(scope="module")
def still(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hot dog held still before the camera."""
    return photo_video(tmp_path_factory.mktemp("videos") / "still.y4m", "hotdog", HOTDOGS[:1], 30)


def test_the_client_is_told_why_and_rides_out_a_server_restart(
    engine: HotdogEngine, still: Path
) -> None:
    """The server shuts down (the client hears why), is away 3 s, and comes back on the same
    port: `seefood stream`'s loop reconnects with back-off and results resume."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(ice_host_addresses=["127.0.0.1"])
    servers = [LiveServer(create_app(settings, [engine]), port=port)]
    got: list[dict[str, Any]] = []
    said: list[str] = []
    frames = file_frames(still, loop=True)

    def new_client() -> StreamClient:
        return StreamClient(servers[0].url, frames, on_message=got.append)

    async def main() -> None:
        streaming = asyncio.create_task(keep_streaming(new_client, 16.0, said.append))
        while not any(m["type"] == "result" for m in got):
            await asyncio.sleep(0.05)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, servers[0].stop)
        before = len(got)
        await asyncio.sleep(3.0)
        back = await loop.run_in_executor(None, LiveServer, create_app(settings, [engine]), port)
        servers.append(back)
        while sum(m["type"] == "result" for m in got[before:]) < 5:
            assert not streaming.done(), said
            await asyncio.sleep(0.05)
        streaming.cancel()
        await asyncio.gather(streaming, return_exceptions=True)

    try:
        asyncio.run(main())
    finally:
        servers[-1].stop()
    closing = [m for m in got if m["type"] == "closing"]
    assert closing and closing[0]["reason"] == "server shutdown"
    assert any("reconnecting" in line for line in said), said
    assert any("trying again" in line for line in said), said


def test_eight_stream_clients_started_at_once_from_one_address_all_get_results(
    engine: HotdogEngine, tmp_path: Path
) -> None:
    """An office behind one NAT: eight `seefood stream` processes at once from 127.0.0.1,
    whose address may have only two calls connecting at a time. Each waits its turn in
    line and every one prints results (before, 4-5 got in and the rest exited with 429)."""
    from seefood.client.replay import make_replay
    from tests.conftest import DEV_SET
    from tests.videos import letterboxed

    photo = letterboxed(load_image(DEV_SET / "hotdog" / HOTDOGS[0]))
    clip = make_replay((photo for _ in range(30)), tmp_path / "clip.h264")
    live = LiveServer(create_app(Settings(ice_host_addresses=["127.0.0.1"]), [engine]))
    command = [sys.executable, "-m", "seefood", "stream", str(clip), "--passthrough", "--loop"]
    command += ["--url", live.url, "--duration", "60"]
    clients = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(8)
    ]
    first_results: list[float | None] = [None] * 8

    def read(i: int) -> None:
        stdout = clients[i].stdout
        assert stdout is not None
        for line in stdout:
            if '"type": "result"' in line and first_results[i] is None:
                first_results[i] = time.monotonic()

    started = time.monotonic()
    readers = [threading.Thread(target=read, args=(i,), daemon=True) for i in range(8)]
    for reader in readers:
        reader.start()
    try:
        deadline = started + 45  # 30 s asked; a margin for eight interpreters starting
        while None in first_results and time.monotonic() < deadline:
            assert all(c.poll() is None for c in clients), [c.stderr for c in clients]
            time.sleep(0.2)
    finally:
        for c in clients:
            c.send_signal(signal.SIGINT)
        # Eight interpreters closing their calls at once on two busy cores take a while.
        errors = [c.communicate(timeout=90)[1] for c in clients]
        live.stop()
    waited = [e for e in errors if "waiting for a place" in e]
    assert None not in first_results, errors
    assert waited, "some had to wait their turn"
    assert not any("429" in e or "error" in e for e in errors), errors
    assert all("live verdict at the end: " in e for e in errors), errors
    assert any("live verdict at the end: hotdog" in e for e in errors), errors
