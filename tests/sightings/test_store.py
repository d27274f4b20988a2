"""The store: what is kept, found, paged and removed; retention by age and by bytes on disk;
what a crash leaves behind is cleaned up."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from seefood.sightings.store import DATABASE, SightingStore, StoreError
from tests.sightings.helpers import sighting, snapshot

MIB = 2**20
T0 = time.time() - 1000  # recent: within any retention


def disk_use(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def open_store(tmp_path: Path, **limits: float) -> SightingStore:
    return SightingStore(
        tmp_path,
        max_age=limits.get("max_age", 86400.0),
        max_bytes=int(limits.get("max_bytes", 100 * MIB)),
    )


def test_kept_found_paged_and_removed(tmp_path: Path) -> None:
    store = open_store(tmp_path)
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
    assert frame is not None and frame.read_bytes()[:3] == b"\xff\xd8\xff"  # a JPEG
    assert store.delete(ids[0]) and not store.delete(ids[0])
    assert store.get(ids[0]) is None and not frame.exists()
    assert [s.id for s in store.all()] == ids[1:]
    store.close()
    reopened = open_store(tmp_path)
    assert reopened.count() == 4, "kept across a restart"


def test_the_disk_never_holds_more_than_the_limit(tmp_path: Path) -> None:
    limit = 3 * MIB
    store = open_store(tmp_path, max_bytes=limit)
    one = snapshot(0, 640, 480)
    for i in range(3 * limit // one.size):  # three times what fits
        assert store.add(sighting(seen=T0 + i), snapshot(i, 640, 480)) is not None
        assert disk_use(tmp_path) <= limit, i
    kept = store.page(limit=500).sightings
    assert 0 < len(kept) < 3 * limit // one.size
    assert kept[0].seen == T0 + 3 * limit // one.size - 1, "the newest is kept"
    assert [s.seen for s in kept] == sorted((s.seen for s in kept), reverse=True)
    assert kept[-1].seen > T0, "the oldest went first"
    assert store.disk_bytes() <= limit


def test_a_sighting_larger_than_the_limit_is_not_kept(tmp_path: Path) -> None:
    store = open_store(tmp_path, max_bytes=64 * 1024)
    assert store.add(sighting(), snapshot(0, 640, 480)) is None
    assert store.count() == 0


def test_old_sightings_are_removed(tmp_path: Path) -> None:
    now = time.time()
    store = open_store(tmp_path, max_age=3600.0)
    old = store.add(sighting(seen=now - 1800), snapshot())
    new = store.add(sighting(seen=now), snapshot())
    assert old is not None and new is not None
    assert store.prune(now=now + 1900) == 1
    assert store.get(old.id) is None and store.get(new.id) is not None


def test_what_a_crash_leaves_is_removed_on_opening(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    kept = store.add(sighting(), snapshot())
    assert kept is not None
    store.close()
    pictures = tmp_path / "snapshots"
    (pictures / "0123.jpg.tmp").write_bytes(b"half a jpeg")  # died while writing
    (pictures / "4567.jpg").write_bytes(b"\xff\xd8")  # died before its row was committed
    reader = SightingStore(tmp_path, max_age=86400, max_bytes=100 * MIB, recover=False)
    assert (pictures / "4567.jpg").exists(), "a reader beside the server touches nothing"
    reader.close()
    store = open_store(tmp_path)
    assert sorted(p.name for p in pictures.iterdir()) == sorted(
        [f"{kept.id}.jpg", f"{kept.id}.crop.jpg"]
    )


def test_an_unusable_directory_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(StoreError, match="cannot keep sightings in"):
        open_store(tmp_path / "file")
    db = tmp_path / "newer"
    db.mkdir()
    sqlite3.connect(db / DATABASE).execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="newer seefood"):
        open_store(db)


def test_the_database_is_in_wal_mode(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    mode = sqlite3.connect(tmp_path / DATABASE).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


@pytest.mark.slow  # a server process of its own, killed
def test_a_killed_server_loses_no_committed_sighting(tmp_path: Path) -> None:
    """`seefood serve` keeping stills as sightings from three clients at once, killed with
    SIGKILL in the middle: every sighting it answered with is there, whole, and nothing
    half-written is left."""
    import io
    import signal
    import threading

    import httpx
    from PIL import Image

    from tests.conftest import DEV_SET, free_port, serve_process

    port = free_port()
    server = serve_process(port, SEEFOOD_DATA_DIR=str(tmp_path))
    photo = (DEV_SET / "hotdog" / "7974806.jpg").read_bytes()
    answered: list[str] = []
    cut_off = threading.Event()

    def client() -> None:
        with httpx.Client(timeout=60) as http:
            while True:
                try:
                    r = http.post(
                        f"http://127.0.0.1:{port}/v1/detect?sighting=true",
                        content=photo,
                        headers={"content-type": "image/jpeg"},
                    )
                except httpx.TransportError:
                    cut_off.set()  # in flight when the server died
                    return
                if r.status_code == 503:  # overloaded: three clients, one daemon
                    continue
                answered.append(r.json()["sighting"]["id"])

    clients = [threading.Thread(target=client, daemon=True) for _ in range(3)]
    try:
        for c in clients:
            c.start()
        deadline = time.monotonic() + 120
        while len(answered) < 12:
            assert time.monotonic() < deadline and server.poll() is None, answered
            time.sleep(0.02)
        server.send_signal(signal.SIGKILL)
        server.wait()
    finally:
        server.kill()
    for c in clients:
        c.join(30)
    assert cut_off.is_set()
    store = open_store(tmp_path)  # as the next start opens it
    kept = {s.id for s in store.all()}
    assert set(answered) <= kept, set(answered) - kept
    pictures = sorted((tmp_path / "snapshots").iterdir())
    assert not [p for p in pictures if p.suffix == ".tmp"]
    assert {p.name.split(".", 1)[0] for p in pictures} == kept, "no picture without its row"
    for path in pictures:
        Image.open(io.BytesIO(path.read_bytes())).load()  # whole JPEGs
