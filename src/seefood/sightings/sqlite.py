"""Sightings in an SQLite database (WAL) with their pictures as files beside it.

A sighting is committed in this order: its two JPEGs written and flushed under temporary
names, renamed into place, the directory synced, then its row committed. A crash at any
point leaves either the whole sighting or files without a row, which `recover` (run on
opening) removes with any `.tmp`. Removal goes the other way: the row first, then its
files. Retention keeps the whole data directory (database, its WAL, snapshots) within
`max_bytes`, the oldest removed first, and nothing older than `max_age` seconds.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from seefood.errors import first_line
from seefood.sightings.schema import COLUMNS, SCHEMA, SCHEMA_VERSION, to_row
from seefood.sightings.sighting import Sighting
from seefood.sightings.snapshots import Snapshot, sync_directory, write_file
from seefood.sightings.store import Picture, Retention, SightingStore, StoreError

DATABASE = "sightings.db"
SNAPSHOTS = "snapshots"
# The WAL is checkpointed every 100 pages (400 KiB) and cut back to this after: it counts
# against the limit on disk.
WAL_PAGES = 100
WAL_LIMIT = 512 * 1024


class SQLiteStore(SightingStore):
    def __init__(self, directory: Path, retention: Retention, *, recover: bool = True) -> None:
        """`recover`: the store's owner (the server) cleans up after a crash; a reader
        beside it (`seefood sightings`) must not, or it would take a sighting being written
        for a crash's leftovers."""
        super().__init__(retention)
        self.directory = directory
        self.snapshots = directory / SNAPSHOTS
        try:
            # Its owner's alone: the pictures are of people's food, and sometimes people.
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.snapshots.mkdir(mode=0o700, exist_ok=True)
            self._db = sqlite3.connect(
                directory / DATABASE, check_same_thread=False, isolation_level=None
            )
            self._setup()
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot keep sightings in {directory}: {first_line(exc)}") from None
        if recover:
            self.recover()

    def _setup(self) -> None:
        db = self._db
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.directory / DATABASE} was written by a newer seefood (schema {version})"
            )
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")  # a committed sighting survives power loss
        db.execute(f"PRAGMA wal_autocheckpoint = {WAL_PAGES}")
        db.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT}")
        db.executescript(SCHEMA)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- writing ---------------------------------------------------------------------------

    def add(self, sighting: Sighting, snapshot: Snapshot) -> Sighting | None:
        """Keep it (room made first, the oldest removed); None if it alone is over the limit."""
        with self._lock:
            if snapshot.size + self._overhead() > self.retention.max_bytes:
                return None
            self._make_room(snapshot.size, time.time())
            frame, crop = self._paths(sighting.id)
            write_file(frame, snapshot.frame)
            write_file(crop, snapshot.crop)
            sync_directory(self.snapshots)
            kept = replace(sighting, size=snapshot.size)
            self._db.execute(
                f"INSERT INTO sightings ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                to_row(kept),
            )
            return kept

    def delete(self, sighting_id: str) -> bool:
        with self._lock:
            return self._remove([sighting_id]) > 0

    def prune(self, now: float | None = None) -> int:
        """Apply retention now; how many were removed."""
        with self._lock:
            return self._make_room(0, time.time() if now is None else now)

    def recover(self) -> int:
        """Remove what a crash left: temporary files, and snapshots without a row."""
        with self._lock:
            ids = {r[0] for r in self._db.execute("SELECT id FROM sightings")}
            removed = 0
            for path in self.snapshots.iterdir():
                if path.name.endswith(".tmp") or path.name.split(".", 1)[0] not in ids:
                    path.unlink(missing_ok=True)
                    removed += 1
            return removed

    def _make_room(self, needed: int, now: float) -> int:
        cut = now - self.retention.max_age
        old = [r[0] for r in self._db.execute("SELECT id FROM sightings WHERE seen < ?", (cut,))]
        removed = self._remove(old)
        while self._used() + needed > self.retention.max_bytes:
            oldest = self._db.execute(
                "SELECT id FROM sightings ORDER BY seen, id LIMIT 50"
            ).fetchall()
            if not oldest:
                break
            # One at a time within the batch read: remove no more than needed.
            for (sighting_id,) in oldest:
                removed += self._remove([sighting_id])
                if self._used() + needed <= self.retention.max_bytes:
                    break
        return removed

    def _remove(self, ids: list[str]) -> int:
        if not ids:
            return 0
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(f"SELECT id FROM sightings WHERE id IN ({marks})", ids).fetchall()
        self._db.execute(f"DELETE FROM sightings WHERE id IN ({marks})", ids)
        for (sighting_id,) in rows:
            for path in self._paths(sighting_id):
                path.unlink(missing_ok=True)
        return len(rows)

    # -- reading ---------------------------------------------------------------------------

    @property
    def where(self) -> str:
        return str(self.directory)

    def _rows(self, sql: str, args: list[Any]) -> list[Any]:
        return self._db.execute(sql, args).fetchall()

    def picture(self, sighting_id: str, which: Picture) -> bytes | None:
        if self.get(sighting_id) is None:
            return None
        frame, crop = self._paths(sighting_id)
        try:
            return (frame if which == "frame" else crop).read_bytes()
        except FileNotFoundError:  # removed since
            return None

    def disk_bytes(self) -> int:
        """What the data directory's sightings take: snapshots, database, WAL."""
        with self._lock:
            return self._used()

    def _used(self) -> int:
        # From the rows, not a count kept here: `seefood sightings prune` may run beside.
        files = self._db.execute("SELECT COALESCE(SUM(size), 0) FROM sightings").fetchone()[0]
        return int(files) + self._overhead()

    def _overhead(self) -> int:
        total = 0
        for name in (DATABASE, f"{DATABASE}-wal", f"{DATABASE}-shm"):
            with contextlib.suppress(FileNotFoundError):
                total += (self.directory / name).stat().st_size
        return total

    def _paths(self, sighting_id: str) -> tuple[Path, Path]:
        return self.snapshots / f"{sighting_id}.jpg", self.snapshots / f"{sighting_id}.crop.jpg"
