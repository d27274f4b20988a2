"""The page's main paths in Debian's Firefox ESR, driven over WebDriver BiDi (tests/firefox.py).

Firefox's fake camera plays a test pattern, so a preload script gives the page a camera
showing a picture (a hot-dog photo in a 640x480 frame); the call is real: Firefox's WebRTC
(VP8 or H.264, as it offers) to the real server on 127.0.0.1, the real models.
"""

from __future__ import annotations

import base64
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from seefood import load_image
from seefood.config import Settings
from seefood.detection.hotdog import HotdogDetector
from seefood.server.app import create_app

from .conftest import DEV_SET, ROOT, LiveServer
from .firefox import FIREFOX, Firefox
from .videos import HOTDOGS, letterboxed

SHOTS = ROOT / "artifacts" / "screenshots"
pytestmark = pytest.mark.skipif(
    shutil.which(FIREFOX) is None and not Path(FIREFOX).exists(),
    reason="scripts/test.sh installs firefox-esr",
)


@pytest.fixture(scope="module")
def server(engine: HotdogDetector) -> Iterator[LiveServer]:
    live = LiveServer(create_app(Settings(session_idle_seconds=3), [engine]))
    yield live
    live.stop()


def _jpeg(path: Path, frame: bool = True) -> bytes:
    image = load_image(path)
    buf = io.BytesIO()
    Image.fromarray(letterboxed(image) if frame else image).save(buf, "JPEG", quality=92)
    return buf.getvalue()


def _sessions(server: LiveServer) -> int:
    return int(httpx.get(f"{server.url}/healthz").json()["sessions"])


def test_live_verdict_box_and_stop_in_firefox(server: LiveServer) -> None:
    browser = Firefox(picture=_jpeg(DEV_SET / "hotdog" / HOTDOGS[0]))
    try:
        browser.goto(server.url)
        browser.evaluate(
            """(() => {
              window.__errors = [];
              addEventListener("error", (e) => window.__errors.push(String(e.message)));
              addEventListener("unhandledrejection", (e) => window.__errors.push(String(e.reason)));
              return true;
            })()"""
        )
        browser.click("#start")
        browser.wait_for("document.getElementById('verdict').textContent === 'Hotdog!'", 60)
        assert (
            browser.wait_for("document.querySelectorAll('#overlay rect.box.hotdog').length", 10)
            == 1
        )
        assert _sessions(server) == 1
        # Firefox gives capture -> boxes through RTCRtpScriptTransform; every stat fills in.
        for stat, unit in (("g2g", "ms"), ("fps", "fps"), ("server", "ms"), ("ips", "/s")):
            assert browser.wait_for(
                f"document.getElementById('stat-{stat}').textContent.endsWith('{unit}')", 15
            ), stat
        assert browser.evaluate("document.getElementById('stat-path').textContent").startswith(
            "direct"
        )
        # Firefox gives no capture times (requestVideoFrameCallback's captureTime) to key
        # frames by: the page stays live and says so, without errors.
        assert browser.wait_for(
            "document.body.dataset.view === 'aligned'"
            " || document.getElementById('view-aligned').disabled",
            15,
        )
        if browser.evaluate("document.body.dataset.view") == "live":
            assert browser.evaluate("document.getElementById('stat-delay').textContent") == (
                "none (live)"
            )
            assert "live view" in browser.evaluate(
                "document.getElementById('view-hint').textContent"
            )
        assert browser.evaluate("window.__errors") == []
        browser.screenshot(SHOTS / "firefox-live-hotdog.png")
        browser.click("#stop")
        browser.wait_for("document.getElementById('video').srcObject === null", 10)
        assert browser.evaluate("document.getElementById('stat-server').textContent") == "\u2013"
        for _ in range(30):
            if not _sessions(server):
                break
            browser.wait_for("true")
        assert _sessions(server) == 0
    finally:
        browser.close()


def test_photo_mode_in_firefox(server: LiveServer) -> None:
    browser = Firefox()
    try:
        browser.goto(server.url)
        browser.click("#mode-photo")
        photo = base64.b64encode(_jpeg(DEV_SET / "hotdog" / HOTDOGS[0], frame=False)).decode()
        browser.evaluate(
            f"""(() => {{
              const bytes = Uint8Array.from(atob("{photo}"), c => c.charCodeAt(0));
              const input = document.getElementById("file");
              const files = new DataTransfer();
              files.items.add(new File([bytes], "hotdog.jpg", {{ type: "image/jpeg" }}));
              input.files = files.files;
              input.dispatchEvent(new Event("change", {{ bubbles: true }}));
              return true;
            }})()"""
        )
        browser.wait_for("document.getElementById('verdict').textContent === 'Hotdog!'", 30)
        assert browser.evaluate("document.querySelectorAll('#overlay rect.box').length") > 0
        browser.screenshot(SHOTS / "firefox-photo.png")
    finally:
        browser.close()
