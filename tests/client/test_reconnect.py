"""`seefood stream` rides out what real networks do: a server restart, a line at the door."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
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


class StreamProcesses:
    """`seefood stream` processes started at once, their output read as it comes."""

    def __init__(self, command: list[str], n: int) -> None:
        pipe = subprocess.PIPE
        self.processes = [
            subprocess.Popen(command, stdout=pipe, stderr=pipe, text=True) for _ in range(n)
        ]
        self.results = [False] * n  # whether each printed a result
        self.said: list[list[str]] = [[] for _ in range(n)]  # each one's stderr lines
        self.stopped: set[int] = set()
        for i in range(n):
            threading.Thread(target=self._read, args=(i,), daemon=True).start()
            threading.Thread(target=self._listen, args=(i,), daemon=True).start()

    def _read(self, i: int) -> None:
        for line in self.processes[i].stdout or ():
            self.results[i] = self.results[i] or '"type": "result"' in line

    def _listen(self, i: int) -> None:
        self.said[i].extend(self.processes[i].stderr or ())

    def waiting(self, i: int) -> bool:
        return any("waiting for a place" in line for line in self.said[i])

    def until(self, condition: Callable[[], bool], seconds: float) -> None:
        """Until `condition`, at most `seconds`; none may end unless it was stopped."""
        deadline = time.monotonic() + seconds
        while not condition() and time.monotonic() < deadline:
            ended = [i for i, p in enumerate(self.processes) if p.poll() is not None]
            assert set(ended) <= self.stopped, self.said
            time.sleep(0.2)

    def stop(self, which: list[int]) -> None:
        for i in which:
            self.stopped.add(i)
            if self.processes[i].poll() is None:
                self.processes[i].send_signal(signal.SIGINT)

    def wait(self) -> list[str]:
        """Each one's stderr, once all have ended."""
        for p in self.processes:
            p.wait(timeout=90)  # eight calls closing at once on two busy cores take a while
        time.sleep(0.5)  # the readers' last lines
        return ["".join(lines) for lines in self.said]


def test_eight_stream_clients_started_at_once_from_one_address_all_get_results(
    engine: HotdogEngine, tmp_path: Path
) -> None:
    """An office behind one NAT: eight `seefood stream` processes at once from 127.0.0.1, on
    a server with places for four. Four get in; each of the other four waits its turn in
    line (before, 4-5 got in and the rest exited with 429) and gets in when the first four
    leave. Places, not timing, make them wait: on a busy machine eight interpreters start
    seconds apart, and a limit on calls connecting at once was not always reached."""
    from seefood.client.replay import make_replay
    from tests.conftest import DEV_SET
    from tests.videos import letterboxed

    photo = letterboxed(load_image(DEV_SET / "hotdog" / HOTDOGS[0]))
    clip = make_replay((photo for _ in range(30)), tmp_path / "clip.h264")
    settings = Settings(ice_host_addresses=["127.0.0.1"], max_sessions=4)
    live = LiveServer(create_app(settings, [engine]))
    command = [sys.executable, "-m", "seefood", "stream", str(clip), "--passthrough", "--loop"]
    command += ["--url", live.url, "--duration", "300"]
    clients = StreamProcesses(command, 8)
    got = clients.results
    try:
        # Generous bounds: eight interpreters starting on two busy cores take a while.
        def later() -> list[int]:
            return [i for i in range(8) if not got[i]]

        clients.until(lambda: sum(got) == 4 and all(map(clients.waiting, later())), 120)
        assert sum(got) == 4, (got, clients.said)
        waited = later()
        assert all(map(clients.waiting, waited)), clients.said
        clients.stop([i for i in range(8) if got[i]])  # the first four leave
        clients.until(lambda: all(got[i] for i in waited), 120)
        assert all(got), (got, clients.said)
    finally:
        clients.stop(list(range(8)))
        errors = clients.wait()
        live.stop()
    assert not any("429" in e or "error" in e for e in errors), errors
    assert all("live verdict at the end: " in e for e in errors), errors
    assert any("live verdict at the end: hotdog" in e for e in errors), errors
