"""The page's "Seen" panel in real Chromium: a confirmed hot dog becomes one sighting, shown
without a reload, its snapshot boxed; other food becomes none.

The camera is Chromium's fake one playing a clip of the shared photos (see test_page); the
server keeps its sightings in this module's own directory, so every one counted is this
module's.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import sync_playwright

from seefood.config import Settings
from seefood.detection.hotdog import HotdogEngine
from seefood.server.app import create_app
from seefood.stills.annotate import HOTDOG_COLOUR
from tests.conftest import LiveServer
from tests.postgres import database_for
from tests.server.test_page import RECORD_VERDICTS, browser, shot, wait_for_verdict
from tests.videos import HOTDOGS, OTHER_FOOD, photo_video

WATCH = 5.0  # seconds the camera goes on after its verdict: no more sightings come of it


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(
    request: pytest.FixtureRequest, engine: HotdogEngine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """Sightings kept in SQLite, then in a real PostgreSQL."""
    database = database_for(request, request.param)
    settings = Settings(
        ice_host_addresses=["127.0.0.1"],
        session_idle_seconds=3,
        data_dir=tmp_path_factory.mktemp("sightings"),
        sightings_database=database,
    )
    live = LiveServer(create_app(settings, [engine]))
    yield live
    live.stop()


@pytest.fixture(scope="module")
def pw() -> Iterator[Any]:
    with sync_playwright() as p:
        yield p


def sightings(server: LiveServer) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = httpx.get(f"{server.url}/v1/sightings?limit=500").json()[
        "sightings"
    ]
    return found


def episodes(verdicts: list[list[Any]]) -> int:
    """How many times the banner turned to "Hotdog!" (each a confirmed episode)."""
    shown = [text for _, text in verdicts]
    return sum(
        1 for i, text in enumerate(shown) if text == "Hotdog!" and (i == 0 or shown[i - 1] != text)
    )


def boxed(snapshot: bytes, box: list[float]) -> float:
    """The share of the box's outline drawn in the hot-dog colour."""
    pixels = np.asarray(Image.open(io.BytesIO(snapshot)).convert("RGB")).astype(int)
    x, y, w, h = (round(v) for v in box)
    edge = np.concatenate([pixels[y, x : x + w], pixels[y + h - 1, x : x + w]])
    near = np.abs(edge - np.array(HOTDOG_COLOUR)).sum(axis=1) < 90  # JPEG moves colours
    return float(near.mean())


def test_a_confirmed_hot_dog_is_one_sighting_shown_at_once_and_boxed(
    pw: Any, server: LiveServer, tmp_path: Path
) -> None:
    clip = photo_video(tmp_path / "hotdog.y4m", "hotdog", HOTDOGS[:1], frames_each=30)
    before = len(sightings(server))
    b = browser(pw, clip)
    try:
        page = b.new_page(viewport={"width": 412, "height": 915})  # a phone's
        page.add_init_script(RECORD_VERDICTS)
        page.goto(server.url)
        page.wait_for_selector("#seen-empty", state="visible")  # the panel, empty
        page.click("#start")
        wait_for_verdict(page, "Hotdog!")
        # In the panel without a reload, within 2 s of the banner saying so.
        page.wait_for_selector("#seen-list .sighting img[src^='blob:']", timeout=2000)
        time.sleep(WATCH)
        verdicts = page.evaluate("window.__verdicts")
        page.click("#stop")
        shot(page, "seen-panel")
        page.click("#seen-list .sighting")
        page.wait_for_function(
            "() => document.getElementById('seen-snapshot').naturalWidth > 0", timeout=10000
        )
        assert page.locator("#seen-dialog").is_visible()
        shot(page, "seen-snapshot")
        shown = page.locator("#seen-list .sighting").count()
    finally:
        b.close()
    kept = sightings(server)[: len(sightings(server)) - before]
    assert episodes(verdicts) >= 1
    assert len(kept) == episodes(verdicts), (len(kept), verdicts[-10:])
    assert shown == len(kept)
    [first, *_] = kept
    assert first["source"] == "live" and first["session"]
    assert first["box"] is not None, "the snapshot has the hot dog boxed"
    snapshot = httpx.get(f"{server.url}{first['snapshot']}").content
    assert boxed(snapshot, first["box"]) > 0.8
    crop = Image.open(io.BytesIO(httpx.get(f"{server.url}{first['crop']}").content))
    assert crop.width <= first["width"] and crop.height <= first["height"]


def test_other_food_is_no_sighting(pw: Any, server: LiveServer, tmp_path: Path) -> None:
    clip = photo_video(tmp_path / "other.y4m", "not_hotdog", OTHER_FOOD[:2], frames_each=30)
    before = len(sightings(server))
    b = browser(pw, clip)
    try:
        page = b.new_page()
        page.goto(server.url)
        page.click("#start")
        wait_for_verdict(page, "Not hotdog!")
        time.sleep(WATCH)
        page.click("#stop")
    finally:
        b.close()
    assert len(sightings(server)) == before
