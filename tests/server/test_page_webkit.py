"""The page in Safari's engine: Debian's WebKitGTK MiniBrowser under Xvfb (tests/webkit.py).

Debian builds WebKitGTK without WebRTC, so this covers what Safari shares with it and
the page depends on: every module loads, Start says why there is no live view, the
camera's frames carry `captureTime` (which the aligned view keys frames by), and Photo
mode, with a JPEG and an iPhone's HEIC.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from seefood import load_image
from seefood.config import Settings
from seefood.detection.hotdog import HotdogEngine
from seefood.server.app import create_app
from tests.conftest import DEV_SET, ROOT, LiveServer, heic_bytes, jpeg_bytes
from tests.videos import HOTDOGS
from tests.webkit import WebKit, available

STATIC = ROOT / "src" / "seefood" / "server" / "static"
SHOTS = ROOT / "artifacts" / "screenshots"
WORKERS = {"encoded-frames.js"}  # run in a worker, not on the page
OTHER_PAGES = {"docs.js"}  # /docs's, which loads Swagger UI before it

pytestmark = pytest.mark.skipif(
    not available(), reason="scripts/test.sh installs webkit2gtk-driver and xvfb"
)


@pytest.fixture(scope="module")
def server(engine: HotdogEngine) -> Iterator[LiveServer]:
    live = LiveServer(create_app(Settings(), [engine]))
    yield live
    live.stop()


@pytest.fixture
def webkit() -> Iterator[WebKit]:
    browser = WebKit()
    yield browser
    browser.close()


def test_every_module_loads_and_the_page_is_ready(server: LiveServer, webkit: WebKit) -> None:
    webkit.goto(server.url)
    webkit.wait_for("document.body.dataset.status === 'idle'")
    modules = sorted(p.name for p in STATIC.glob("*.js") if p.name not in WORKERS | OTHER_PAGES)
    assert "main.js" in modules
    failures = webkit.evaluate_async(
        "Promise.all(arguments[0].map((m) => import('/static/' + m)"
        ".then(() => null, (e) => m + ': ' + e)))",
        modules,
    )
    assert failures == [None] * len(modules)
    for worker in sorted(WORKERS):
        error = webkit.evaluate_async(
            "new Promise((resolve) => {"
            " const w = new Worker('/static/' + arguments[0]);"
            " w.onerror = (e) => resolve(String(e.message));"
            " setTimeout(() => { w.terminate(); resolve(null); }, 1000); })",
            worker,
        )
        assert error is None, f"{worker}: {error}"


def test_start_says_this_browser_has_no_webrtc(server: LiveServer, webkit: WebKit) -> None:
    webkit.goto(server.url)
    webkit.wait_for("document.body.dataset.status === 'idle'")
    assert webkit.evaluate("return !!window.RTCPeerConnection") is False
    webkit.click("#start")
    message = webkit.wait_for(
        "!document.getElementById('message').hidden"
        " && document.getElementById('message').textContent"
    )
    assert "no WebRTC" in message and "Photo mode" in message
    assert webkit.evaluate("return document.body.dataset.status") == "failed"
    assert webkit.evaluate("return document.getElementById('status-text').textContent") == (
        "unavailable"
    )
    webkit.screenshot(SHOTS / "webkit-no-webrtc.png")


def test_the_mock_cameras_frames_carry_capture_times(server: LiveServer, webkit: WebKit) -> None:
    webkit.goto(server.url)  # a secure context (127.0.0.1): the camera is offered
    frames = webkit.evaluate_async(
        """navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } })
        .then((stream) => new Promise((resolve) => {
          const video = document.createElement("video");
          video.muted = true;
          video.playsInline = true;
          video.srcObject = stream;
          document.body.append(video);
          video.play();
          const seen = [];
          const look = (now, metadata) => {
            seen.push([metadata.captureTime, performance.now(), metadata.width, metadata.height]);
            if (seen.length < 10) video.requestVideoFrameCallback(look);
            else { stream.getTracks().forEach((t) => t.stop()); resolve(seen); }
          };
          video.requestVideoFrameCallback(look);
        }))"""
    )
    assert not isinstance(frames, dict), frames  # {error: ...}
    assert len(frames) == 10
    times = [f[0] for f in frames]
    # On the page's clock (performance.now()), before the frame was seen, and in order.
    assert all(isinstance(t, float | int) for t in times), frames
    assert all(t <= seen for t, seen, *_ in frames)
    assert times == sorted(times) and len(set(times)) > 5
    assert {(w, h) for *_, w, h in frames} == {(640, 480)}


@pytest.mark.parametrize("kind", ["jpeg", "heic"])
def test_photo_mode_shows_the_boxes_and_the_verdict(
    server: LiveServer, webkit: WebKit, kind: str
) -> None:
    photo = load_image(DEV_SET / "hotdog" / HOTDOGS[0])
    data = heic_bytes(photo) if kind == "heic" else jpeg_bytes(photo, 95)
    webkit.goto(server.url)
    webkit.wait_for("document.body.dataset.status === 'idle'")
    webkit.click("#mode-photo")
    # The click's handler may run after click() returns: a file chosen before it would be
    # dropped by the switch to Photo mode (which empties the stage), as a CI run saw.
    webkit.wait_for("document.body.dataset.mode === 'photo'")
    assert webkit.evaluate("return document.getElementById('photo').hidden") is True
    webkit.choose_file("#file", f"hotdog.{kind}", data, f"image/{kind}")
    webkit.wait_for("document.getElementById('verdict').textContent === 'Hotdog!'", 60)
    assert webkit.evaluate("return document.querySelectorAll('#overlay rect.box.hotdog').length")
    assert webkit.evaluate("return document.getElementById('status-text').textContent") == (
        "photo checked"
    )
    size = webkit.evaluate(
        "const p = document.getElementById('photo'); return [p.naturalWidth, p.naturalHeight];"
    )
    assert size == [photo.shape[1], photo.shape[0]]
    webkit.screenshot(SHOTS / f"webkit-photo-{kind}.png")
