"""What the page says is so, in Chromium: a server killed and back, one that is down at
Start, one that is full, four tabs at once, Photo mode's empty state, a HEIC photo, and a
phone's screen. The servers are real `seefood serve` processes, killed with SIGKILL as a
crash or a power cut would."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from seefood import load_image
from tests.conftest import DEV_SET, free_port, heic_bytes, jpeg_bytes, serve_process
from tests.server.test_page import browser, shot, wait_for_verdict
from tests.videos import HOTDOGS, photo_video

# Every status the page shows, with the time (page clock) and its text, from the start.
RECORD_STATES = """
window.__states = [];
new MutationObserver(() => {
  const s = document.body.dataset.status, t = document.getElementById("status-text");
  const last = window.__states.at(-1);
  const text = t ? t.textContent : "";
  if (s && (!last || last[1] !== s || last[2] !== text)) {
    window.__states.push([performance.now(), s, text,
      document.getElementById("verdict").textContent,
      document.querySelectorAll("#overlay rect.box").length]);
  }
}).observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
"""


@pytest.fixture(scope="module")
def pw() -> Iterator[Any]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("camera")
    return photo_video(d / "hotdog.y4m", "hotdog", HOTDOGS[:1], frames_each=30)


def stop(server: subprocess.Popen[bytes], how: signal.Signals = signal.SIGTERM) -> None:
    if server.poll() is None:
        server.send_signal(how)
        server.wait(timeout=30)


def page_now(page: Any) -> float:
    return float(page.evaluate("performance.now()"))


def test_a_killed_server_is_said_at_once_and_the_page_is_back_when_it_is(
    pw: Any, clip: Path
) -> None:
    port = free_port()
    server = serve_process(port, SEEFOOD_SESSION_IDLE_SECONDS="3")
    b = browser(pw, clip)
    try:
        page = b.new_page(viewport={"width": 1000, "height": 900})
        page.add_init_script(RECORD_STATES)
        page.goto(f"http://127.0.0.1:{port}/")
        page.click("#start")
        wait_for_verdict(page, "Hotdog!")
        page.wait_for_selector("#overlay rect.box")
        killed = page_now(page)
        stop(server, signal.SIGKILL)
        # Within 3 s: no longer "live", the verdict and the boxes withdrawn, and why.
        page.wait_for_function(
            "() => document.body.dataset.status === 'reconnecting'"
            " && document.getElementById('status-text').textContent.includes('unreachable')",
            timeout=10_000,
        )
        said = page_now(page)
        assert page.inner_text("#verdict") == ""
        assert page.locator("#overlay rect.box").count() == 0
        assert "cannot be reached" in page.inner_text("#message")
        states = page.evaluate("window.__states")
        first_off = next(s for s in states if s[0] > killed and s[1] != "live")
        assert first_off[0] - killed < 3000, states
        assert said - killed < 3000 + 1500, "the reason follows the probe (1.5 s at most)"
        # Nothing between the kill and the withdrawal claims a live answer.
        assert not [s for s in states if s[0] > first_off[0] and s[1] == "live"]
        shot(page, "reconnecting")
        time.sleep(2.0)  # away a while: the page keeps looking
        server = serve_process(port, SEEFOOD_SESSION_IDLE_SECONDS="3")
        back = page_now(page)
        page.wait_for_function("() => document.body.dataset.status === 'live'", timeout=20_000)
        assert page_now(page) - back < 5000, page.evaluate("window.__states")
        wait_for_verdict(page, "Hotdog!")
    finally:
        b.close()
        stop(server)


def test_start_with_the_server_down_says_it_cannot_be_reached(pw: Any, clip: Path) -> None:
    port = free_port()
    b = browser(pw, clip)
    server = None
    try:
        page = b.new_page()
        # The page itself comes from a server that is then gone: open, then kill it.
        server = serve_process(port)
        page.goto(f"http://127.0.0.1:{port}/")
        stop(server, signal.SIGKILL)
        page.click("#start")
        page.wait_for_function(
            "() => document.getElementById('status-text').textContent.includes('unreachable')",
            timeout=10_000,
        )
        assert "cannot be reached" in page.inner_text("#message")
        server = serve_process(port)
        page.wait_for_function("() => document.body.dataset.status === 'live'", timeout=20_000)
    finally:
        b.close()
        if server is not None:
            stop(server)


def test_a_full_server_says_waiting_and_lets_the_next_in_when_a_place_frees(
    pw: Any, clip: Path
) -> None:
    port = free_port()
    server = serve_process(port, SEEFOOD_MAX_SESSIONS="1")
    b = browser(pw, clip)
    try:
        url = f"http://127.0.0.1:{port}/"
        first, second = b.new_page(), b.new_page()
        for page in (first, second):
            page.add_init_script(RECORD_STATES)
            page.goto(url)
        first.click("#start")
        first.wait_for_function("() => document.body.dataset.status === 'live'", timeout=30_000)
        second.click("#start")
        second.wait_for_function(
            "() => document.body.dataset.status === 'waiting'"
            " && document.getElementById('status-text').textContent.includes('next in line')",
            timeout=20_000,
        )
        assert "next in line" in second.inner_text("#message")
        shot(second, "waiting-for-a-place")
        first.click("#stop")
        second.wait_for_function("() => document.body.dataset.status === 'live'", timeout=20_000)
        wait_for_verdict(second, "Hotdog!")
    finally:
        b.close()
        stop(server)


def test_four_tabs_at_once_all_go_live(pw: Any, clip: Path) -> None:
    """One browser, one address, four calls at once: only two may be connecting at a time,
    and the others wait their turn rather than being refused."""
    port = free_port()
    server = serve_process(port)
    b = browser(pw, clip)
    try:
        pages = [b.new_page(viewport={"width": 640, "height": 700}) for _ in range(4)]
        for page in pages:
            page.goto(f"http://127.0.0.1:{port}/")
        for page in pages:
            page.click("#start", no_wait_after=True)
        for page in pages:
            page.wait_for_function("() => document.body.dataset.status === 'live'", timeout=60_000)
        sessions = {page.get_attribute("body", "data-session") for page in pages}
        assert len(sessions) == 4
    finally:
        b.close()
        stop(server)


def test_photo_mode_opens_empty_and_says_its_state(pw: Any, tmp_path: Path) -> None:
    port = free_port()
    server = serve_process(port)
    b = browser(pw, None)
    try:
        page = b.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        page.click("#mode-photo")
        assert page.is_hidden("#photo"), "no broken image before a photo is chosen"
        assert page.get_attribute("#photo", "src") is None
        assert "Take or choose a photo" in page.inner_text("#placeholder")
        assert page.inner_text("#status-text") == "ready"
        photo = load_image(DEV_SET / "hotdog" / HOTDOGS[0])
        (tmp_path / "hotdog.jpg").write_bytes(jpeg_bytes(photo, 95))
        page.set_input_files("#file", str(tmp_path / "hotdog.jpg"))
        wait_for_verdict(page, "Hotdog!")
        assert page.inner_text("#status-text") == "photo checked"
        assert "ms on the server" in page.inner_text("#photo-info")
        page.click("#mode-live")
        page.click("#mode-photo")
        assert page.is_hidden("#photo") and page.inner_text("#verdict") == ""
    finally:
        b.close()
        stop(server)


@pytest.mark.parametrize(
    ("label", "verdict"), [("hotdog", "Hotdog!"), ("not_hotdog", "Not hotdog!")]
)
def test_a_heic_photo_gets_its_jpeg_twins_verdict_and_is_shown(
    pw: Any, tmp_path: Path, label: str, verdict: str
) -> None:
    """Chromium cannot show HEIC itself: the picture comes from the server's decoded copy,
    with the boxes over it, and the verdict is the JPEG twin's."""
    name = {"hotdog": HOTDOGS[0], "not_hotdog": "1001773.jpg"}[label]
    photo = load_image(DEV_SET / label / name)
    (tmp_path / "photo.heic").write_bytes(heic_bytes(photo))
    (tmp_path / "photo.jpg").write_bytes(jpeg_bytes(photo, 95))
    port = free_port()
    server = serve_process(port)
    b = browser(pw, None)
    try:
        page = b.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        page.click("#mode-photo")
        boxes = {}
        for kind in ("jpg", "heic"):
            page.set_input_files("#file", str(tmp_path / f"photo.{kind}"))
            page.wait_for_function("() => document.body.dataset.status === 'idle'", timeout=30_000)
            wait_for_verdict(page, verdict)
            shown = page.evaluate(
                "(() => { const p = document.getElementById('photo');"
                " return [p.naturalWidth, p.naturalHeight, p.src.slice(0, 22)]; })()"
            )
            assert shown[:2] == [photo.shape[1], photo.shape[0]], shown
            boxes[kind] = page.locator("#overlay rect.box").count()
            if kind == "heic":
                assert shown[2] == "data:image/jpeg;base64"
                shot(page, f"photo-heic-{label}")
        # Each format loses detail in its own way, so a marginal box may come or go; the
        # verdict (above) is what must match, and a picture with boxes keeps them.
        assert (boxes["heic"] > 0) == (boxes["jpg"] > 0), boxes
    finally:
        b.close()
        stop(server)


def test_on_a_phone_the_verdict_sits_on_the_picture(pw: Any, clip: Path) -> None:
    port = free_port()
    server = serve_process(port)
    b = browser(pw, clip)
    try:
        context = b.new_context(
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
        )
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        page.click("#start")
        wait_for_verdict(page, "Hotdog!")
        picture = page.evaluate(
            """(() => {
              const v = document.getElementById('video'), r = v.getBoundingClientRect();
              const s = Math.min(r.width / v.videoWidth, r.height / v.videoHeight);
              const w = v.videoWidth * s, h = v.videoHeight * s;
              return {x: r.x + (r.width - w) / 2, y: r.y + (r.height - h) / 2, w, h};
            })()"""
        )
        verdict = page.locator("#verdict").bounding_box()
        assert verdict is not None
        assert picture["y"] <= verdict["y"]
        assert verdict["y"] + verdict["height"] <= picture["y"] + picture["h"] + 1, (
            "the verdict is over the picture, not in a band below it"
        )
        stage = page.locator("#stage").bounding_box()
        assert stage is not None and abs(stage["height"] - picture["h"]) < 2, "no empty bands"
        shot(page, "phone-live")
    finally:
        b.close()
        stop(server)
