"""Shared fixtures: the real model, the shared dev images, and small synthetic ONNX models."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Coroutine, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest

from seefood import Detector, load_image
from seefood.detection.hotdog import HotdogEngine
from seefood.detection.settings import EngineSettings, build_engine
from seefood.types import RGBImage

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEV_SET = SHARED / "data" / "hotdog-dev"
T = TypeVar("T")
YOLOX_NANO = SHARED / "models" / "yolox_nano.onnx"


# The suite's tiers. The fast one (`pytest -m "not slow"`: unit tests and real HTTP on
# 127.0.0.1, no browsers, no Ray cluster, no long WebRTC streams) is for work in progress;
# `-m browser` and `-m ray` pick those out; CI runs everything. Browser and Ray tests are
# slow too.
MARKERS = {
    "slow": "browsers, Ray clusters, long WebRTC streams, the dev set through every model",
    "browser": "a real browser (Chromium, Firefox ESR or WebKitGTK)",
    "ray": "a real Ray cluster",
}
SLOW_MODULES = {
    "test_page": "browser",
    "test_page_firefox": "browser",
    "test_page_states": "browser",
    "test_page_seen": "browser",
    "test_page_webkit": "browser",
    "test_cluster": "ray",
    "test_reconciler": "ray",
    "test_session": "slow",
    "test_reconnect": "slow",
    "test_replay": "slow",
    "test_quantized": "slow",
}


def pytest_configure(config: pytest.Config) -> None:
    # Every app the tests start keeps its sightings in a directory of the run's, not in
    # the user's own (SEEFOOD_DATA_DIR's default follows XDG_DATA_HOME); servers started
    # as processes inherit it.
    import os
    import tempfile

    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="seefood-test-data-")
    for name, meaning in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {meaning}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        kind = SLOW_MODULES.get(item.path.stem)
        if kind is not None:
            item.add_marker(pytest.mark.slow)
            item.add_marker(getattr(pytest.mark, kind))


def dev_images(label: str) -> list[Path]:
    paths = sorted((DEV_SET / label).glob("*.jpg"))
    assert paths, f"missing test data in {DEV_SET / label}: see ../shared/README.md"
    return paths


@pytest.fixture(scope="session")
def detector() -> Detector:
    return Detector()


@pytest.fixture(scope="session")
def engine() -> HotdogEngine:
    """What `seefood serve` runs by default: the detector and the combined verdict."""
    return build_engine(EngineSettings())


@pytest.fixture(scope="session")
def hotdog_paths() -> list[Path]:
    return dev_images("hotdog")


@pytest.fixture(scope="session")
def not_hotdog_paths() -> list[Path]:
    return dev_images("not_hotdog")


@pytest.fixture(scope="session")
def hotdog_image() -> RGBImage:
    """One large hot dog filling most of a 224x168 photo (NanoDet-g: 0.74, box ~[17,38,207,112])."""
    return load_image(DEV_SET / "hotdog" / "7974806.jpg")


def jpeg_bytes(image: RGBImage, quality: int = 90) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def heic_bytes(image: RGBImage, quality: int = 90, orientation: int | None = None) -> bytes:
    """The image as an iPhone would keep it: HEIC (pillow-heif's HEVC encoder); with an EXIF
    `orientation`, which pillow-heif turns into the file's own rotation (irot), as phones do."""
    import io

    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    buf = io.BytesIO()
    extra = {}
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        extra["exif"] = exif.tobytes()
    Image.fromarray(image).save(buf, format="HEIF", quality=quality, **extra)
    return buf.getvalue()


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    """Intersection over union of two [x, y, width, height] boxes."""
    w = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    return w * h / (a[2] * a[3] + b[2] * b[3] - w * h)


def noise_image(width: int = 320, height: int = 240, seed: int = 0) -> RGBImage:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


class LiveServer:
    """`seefood serve`'s app under a real uvicorn on 127.0.0.1, in a background thread."""

    def __init__(self, app: Any, port: int = 0) -> None:
        self.app = app
        import threading

        import uvicorn

        from seefood.server.run import uvicorn_config

        config = uvicorn_config(
            app, app.state.settings, host="127.0.0.1", port=port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        import time

        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        self.loop = self.server.servers[0].get_loop()
        sock = self.server.servers[0].sockets[0]
        self.port: int = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the server's own event loop (as the server itself would)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(engine: HotdogEngine) -> Iterator[LiveServer]:
    from seefood.config import Settings
    from seefood.server.app import create_app

    app = create_app(Settings(max_upload_bytes=2_000_000), [engine])
    server = LiveServer(app)
    yield server
    server.stop()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_process(port: int, **env: str) -> subprocess.Popen[bytes]:
    """`seefood serve` on 127.0.0.1:`port` as its own process (one daemon), once it answers;
    `env` adds SEEFOOD_* settings. The caller ends it (terminate, or kill for a crash)."""
    import os
    import sys
    import tempfile
    import time

    import httpx

    # Not a pipe: a chatty server must never block on it. Closed with the process's files.
    log = tempfile.TemporaryFile()  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "seefood", "serve", "--port", str(port)],
        env={**os.environ, "SEEFOOD_DAEMONS": "1", **env},
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    deadline = time.monotonic() + 90
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except httpx.TransportError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                log.seek(0)
                raise RuntimeError(f"seefood serve did not start: {log.read()[-2000:]!r}") from None
            time.sleep(0.1)


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """A real PostgreSQL server of this run's (tests/postgres.py); `new_database()` each."""
    from tests.postgres import PostgresServer, binaries

    if binaries() is None:
        pytest.skip("PostgreSQL is not installed: scripts/test.sh installs it (apt postgresql)")
    server = PostgresServer()
    yield server
    server.stop()
