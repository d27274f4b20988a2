"""What every store does, on SQLite and on a real PostgreSQL (see conftest): keep, find,
page, remove, and retention by age and by bytes, the oldest first."""

from __future__ import annotations

import io
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image

from seefood.sightings.settings import SightingsSettings
from tests.conftest import DEV_SET, free_port, serve_process
from tests.postgres import database_for
from tests.sightings.conftest import MakeStore
from tests.sightings.helpers import sighting, snapshot

T0 = time.time() - 1000  # recent: within any retention
JPEG = {"content-type": "image/jpeg"}


def test_kept_found_paged_and_removed(make_store: MakeStore) -> None:
    store = make_store()
    kept = [store.add(sighting(seen=T0 + i, session=f"s{i % 2}"), snapshot(i)) for i in range(5)]
    assert all(k is not None and k.size > 0 for k in kept)
    ids = [k.id for k in kept if k is not None]
    assert store.get(ids[0]) == kept[0]
    page = store.page(limit=2)
    assert [s.id for s in page.sightings] == [ids[4], ids[3]], "newest first"
    assert page.next_before == page.sightings[-1].seen
    rest = store.page(limit=10, before=page.next_before)
    assert [s.id for s in rest.sightings] == [ids[2], ids[1], ids[0]] and rest.next_before is None
    assert [s.id for s in store.page(session="s1").sightings] == [ids[3], ids[1]]
    assert [s.id for s in store.page(after=T0 + 2.5).sightings] == [ids[4], ids[3]]
    frame = store.picture(ids[0], "frame")
    assert frame is not None and frame[:3] == b"\xff\xd8\xff"  # a JPEG
    assert store.picture(ids[0], "crop") != frame
    assert store.delete(ids[0]) and not store.delete(ids[0])
    assert store.get(ids[0]) is None and store.picture(ids[0], "frame") is None
    assert [s.id for s in store.all()] == ids[1:]
    store.close()
    assert make_store().count() == 4, "kept across a restart"


def test_the_oldest_go_first_to_stay_within_the_limit(make_store: MakeStore) -> None:
    limit = 3 * 2**20
    store = make_store(max_bytes=limit)
    n = 3 * limit // snapshot(0, 640, 480).size  # three times what fits
    for i in range(n):
        assert store.add(sighting(seen=T0 + i), snapshot(i, 640, 480)) is not None
        assert store.disk_bytes() <= limit, i
    kept = store.page(limit=500).sightings
    assert 0 < len(kept) < n
    assert kept[0].seen == T0 + n - 1, "the newest is kept"
    assert [s.seen for s in kept] == [T0 + i for i in range(n - len(kept), n)][::-1]


def test_a_sighting_larger_than_the_limit_is_not_kept(make_store: MakeStore) -> None:
    store = make_store(max_bytes=64 * 1024)
    assert store.add(sighting(), snapshot(0, 640, 480)) is None
    assert store.count() == 0


def test_old_sightings_are_removed(make_store: MakeStore) -> None:
    now = time.time()
    store = make_store(max_age=3600.0)
    old = store.add(sighting(seen=now - 1800), snapshot())
    new = store.add(sighting(seen=now), snapshot())
    assert old is not None and new is not None
    assert store.prune(now=now + 1900) == 1
    assert store.get(old.id) is None and store.get(new.id) is not None


class Clients:
    """Three clients sending a hot dog with ?sighting=true again and again: the ids the
    server answered with, and whether one was cut off mid-request."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/v1/detect?sighting=true"
        self.photo = (DEV_SET / "hotdog" / "7974806.jpg").read_bytes()
        self.answered: list[str] = []
        self.cut_off = threading.Event()
        self.threads = [threading.Thread(target=self._send, daemon=True) for _ in range(3)]
        for thread in self.threads:
            thread.start()

    def _send(self) -> None:
        with httpx.Client(timeout=60) as http:
            while True:
                try:
                    r = http.post(self.url, content=self.photo, headers=JPEG)
                except httpx.TransportError:
                    self.cut_off.set()  # in flight when the server died
                    return
                if r.status_code != 503:  # 503: overloaded (three clients, one daemon)
                    self.answered.append(r.json()["sighting"]["id"])

    def join(self) -> None:
        for thread in self.threads:
            thread.join(30)


@pytest.mark.slow  # a server process of its own, killed
@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_killed_server_loses_no_committed_sighting(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """`seefood serve` keeping stills as sightings from three clients at once, killed with
    SIGKILL in the middle: every sighting it answered with is there, whole, and nothing
    half-written is left."""
    database = database_for(request, kind)
    place = {"SEEFOOD_DATA_DIR": str(tmp_path)}
    if database:
        place["SEEFOOD_SIGHTINGS_DATABASE"] = database
    port = free_port()
    server = serve_process(port, **place)
    try:
        clients = Clients(port)
        deadline = time.monotonic() + 120
        while len(clients.answered) < 12:
            assert time.monotonic() < deadline and server.poll() is None, clients.answered
            time.sleep(0.02)
        server.send_signal(signal.SIGKILL)
        server.wait()
    finally:
        server.kill()
    clients.join()
    assert clients.cut_off.is_set()
    settings = SightingsSettings(data_dir=tmp_path, sightings_database=database)
    store = settings.open_store()  # as the next start opens it
    kept = {s.id for s in store.all()}
    assert set(clients.answered) <= kept, set(clients.answered) - kept
    for sighting_id in kept:
        for jpeg in (store.picture(sighting_id, "frame"), store.picture(sighting_id, "crop")):
            assert jpeg is not None
            Image.open(io.BytesIO(jpeg)).load()  # whole JPEGs
    if kind == "sqlite":
        pictures = sorted((tmp_path / "snapshots").iterdir())
        assert not [p for p in pictures if p.suffix == ".tmp"]
        assert {p.name.split(".", 1)[0] for p in pictures} == kept, "no picture without its row"
