"""The SQLite store's own promises: the data directory (database, WAL, pictures) never over
its limit, what a crash leaves behind cleaned up, WAL mode, and a killed server losing
nothing it answered."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from seefood.sightings.sqlite import DATABASE, SQLiteStore
from seefood.sightings.store import Retention, StoreError
from tests.sightings.helpers import sighting, snapshot

MIB = 2**20
T0 = time.time() - 1000  # recent: within any retention


def disk_use(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def open_store(tmp_path: Path, max_bytes: int = 100 * MIB) -> SQLiteStore:
    return SQLiteStore(tmp_path, Retention(86400.0, max_bytes))


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


def test_what_a_crash_leaves_is_removed_on_opening(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    kept = store.add(sighting(), snapshot())
    assert kept is not None
    store.close()
    pictures = tmp_path / "snapshots"
    (pictures / "0123.jpg.tmp").write_bytes(b"half a jpeg")  # died while writing
    (pictures / "4567.jpg").write_bytes(b"\xff\xd8")  # died before its row was committed
    reader = SQLiteStore(tmp_path, Retention(86400, 100 * MIB), recover=False)
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


def test_the_database_is_in_wal_mode_and_its_owners_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    open_store(data).close()
    assert data.stat().st_mode & 0o777 == 0o700
    assert (data / "snapshots").stat().st_mode & 0o777 == 0o700
    mode = sqlite3.connect(data / DATABASE).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
