"""/v1/sightings over real HTTP: pages, filters, pictures, removal and the live feed, with
the sightings in SQLite and in a real PostgreSQL."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from seefood.config import Settings
from seefood.detection.hotdog import HotdogEngine
from seefood.server.app import create_app
from seefood.server.sightings_api import sse_data
from seefood.types import RGBImage
from tests.conftest import LiveServer, jpeg_bytes, noise_image
from tests.postgres import database_for


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(
    request: pytest.FixtureRequest, engine: HotdogEngine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A server keeping its sightings in SQLite, then one keeping them in PostgreSQL."""
    database = database_for(request, request.param)
    settings = Settings(data_dir=tmp_path_factory.mktemp("kept"), sightings_database=database)
    live = LiveServer(create_app(settings, [engine]))
    yield live
    live.stop()


def keep(server: LiveServer, image: RGBImage) -> Any:
    return httpx.post(
        f"{server.url}/v1/detect?sighting=true",
        content=jpeg_bytes(image),
        headers={"content-type": "image/jpeg"},
        timeout=60,
    ).json()["sighting"]


def test_pages_newest_first_pictures_and_removal(
    server: LiveServer, hotdog_image: RGBImage
) -> None:
    kept = [keep(server, hotdog_image) for _ in range(3)]
    assert all(k is not None and k["source"] == "still" for k in kept)
    assert keep(server, noise_image()) is None, "not a hot dog: nothing kept"
    first = httpx.get(f"{server.url}/v1/sightings?limit=2").json()
    assert [s["id"] for s in first["sightings"]] == [kept[2]["id"], kept[1]["id"]]
    second = httpx.get(first["next"]).json()
    assert kept[0]["id"] in [s["id"] for s in second["sightings"]]
    after = kept[1]["seen"]
    newer = httpx.get(f"{server.url}/v1/sightings", params={"after": after}).json()
    assert [s["id"] for s in newer["sightings"]] == [kept[2]["id"]]
    assert httpx.get(f"{server.url}/v1/sightings?session=nobody").json()["sightings"] == []
    one = kept[0]
    assert httpx.get(f"{server.url}/v1/sightings/{one['id']}").json() == one
    snapshot = httpx.get(f"{server.url}{one['snapshot']}")
    assert snapshot.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(snapshot.content)).size == (one["width"], one["height"])
    assert httpx.get(f"{server.url}{one['crop']}").status_code == 200
    assert httpx.delete(f"{server.url}/v1/sightings/{one['id']}").status_code == 204
    for path in (f"/v1/sightings/{one['id']}", one["snapshot"]):
        gone = httpx.get(f"{server.url}{path}")
        assert gone.status_code == 404 and "no sighting" in gone.json()["detail"]
    assert httpx.delete(f"{server.url}/v1/sightings/{one['id']}").status_code == 404


def test_bad_queries_are_422_not_500(server: LiveServer) -> None:
    for query in ("limit=0", "limit=x", "before=yesterday"):
        assert httpx.get(f"{server.url}/v1/sightings?{query}").status_code == 422, query
    assert httpx.get(f"{server.url}/v1/sightings/x/other.jpg").status_code == 422


def test_the_feed_tells_a_new_sighting_as_it_is_kept(
    server: LiveServer, hotdog_image: RGBImage
) -> None:
    told: list[dict[str, Any]] = []
    opened = threading.Event()

    def read() -> None:
        with httpx.stream("GET", f"{server.url}/v1/sightings/feed", timeout=60) as feed:
            assert feed.headers["content-type"].startswith("text/event-stream")
            text = ""
            for chunk in feed.iter_text():
                opened.set()
                text += chunk
                told.extend(sse_data(text))
                if told:
                    return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert opened.wait(30)
    kept = keep(server, hotdog_image)
    reader.join(60)
    assert [t["id"] for t in told] == [kept["id"]]


def test_off_means_404_and_nothing_kept(
    engine: HotdogEngine, tmp_path: Path, hotdog_image: RGBImage
) -> None:
    off = LiveServer(create_app(Settings(sightings=False, data_dir=tmp_path / "d"), [engine]))
    try:
        refused = httpx.get(f"{off.url}/v1/sightings")
        assert refused.status_code == 404 and "SEEFOOD_SIGHTINGS=off" in refused.json()["detail"]
        assert keep(off, hotdog_image) is None
    finally:
        off.stop()
    assert not (tmp_path / "d").exists()
