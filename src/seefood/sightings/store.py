"""Where sightings are kept: an SQLite database (WAL) and their snapshots beside it.

A sighting is committed in this order: its two JPEGs written and flushed under temporary
names, renamed into place, the directory synced, then its row committed. A crash at any
point leaves either the whole sighting or files without a row, which `recover` (run on
opening) removes with any `.tmp`. Removal goes the other way: the row first, then its
files. Retention keeps the whole data directory (database, its WAL, snapshots) within
`max_bytes`, the oldest removed first, and nothing older than `max_age` seconds.

Calls block (the disk): the recorder runs them in a thread, one at a time under a lock.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from seefood.sightings.schema import COLUMNS, SCHEMA, SCHEMA_VERSION, from_row, to_row
from seefood.sightings.sighting import Sighting
from seefood.sightings.snapshots import Snapshot, sync_directory, write_file

DATABASE = "sightings.db"
SNAPSHOTS = "snapshots"
# The WAL is checkpointed every 100 pages (400 KiB) and cut back to this after: it counts
# against the limit on disk.
WAL_PAGES = 100
WAL_LIMIT = 512 * 1024


class StoreError(RuntimeError):
    """The data directory cannot be used (not writable, a database of a newer seefood)."""


@dataclass(frozen=True, slots=True)
class Page:
    sightings: list[Sighting]
    next_before: float | None  # pass as `before` for the next (older) page; None: the last


class SightingStore:
    def __init__(
        self, directory: Path, *, max_age: float, max_bytes: int, recover: bool = True
    ) -> None:
        """`recover`: the store's owner (the server) cleans up after a crash; a reader
        beside it (`seefood sightings`) must not, or it would take a sighting being written
        for a crash's leftovers."""
        self.directory = directory
        self.snapshots = directory / SNAPSHOTS
        self.max_age = max_age
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        try:
            self.snapshots.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                directory / DATABASE, check_same_thread=False, isolation_level=None
            )
            self._setup()
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot keep sightings in {directory}: {exc}") from None
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
            if snapshot.size + self._overhead() > self.max_bytes:
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
        cut = now - self.max_age
        old = [r[0] for r in self._db.execute("SELECT id FROM sightings WHERE seen < ?", (cut,))]
        removed = self._remove(old)
        while self._used() + needed > self.max_bytes:
            oldest = self._db.execute(
                "SELECT id FROM sightings ORDER BY seen, id LIMIT 50"
            ).fetchall()
            if not oldest:
                break
            # One at a time within the batch read: remove no more than needed.
            for (sighting_id,) in oldest:
                removed += self._remove([sighting_id])
                if self._used() + needed <= self.max_bytes:
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

    def page(
        self,
        *,
        limit: int = 50,
        before: float | None = None,
        after: float | None = None,
        session: str | None = None,
    ) -> Page:
        """Newest first: those seen before `before` and after `after`, of `session`."""
        where: list[str] = ["1"]
        args: list[object] = []
        if before is not None:
            where.append("seen < ?")
            args.append(before)
        if after is not None:
            where.append("seen > ?")
            args.append(after)
        if session is not None:
            where.append("session = ?")
            args.append(session)
        sql = (
            f"SELECT {COLUMNS} FROM sightings WHERE {' AND '.join(where)} "
            "ORDER BY seen DESC, id DESC LIMIT ?"
        )
        with self._lock:
            rows = self._db.execute(sql, [*args, limit + 1]).fetchall()
        found = [from_row(r) for r in rows[:limit]]
        more = len(rows) > limit
        return Page(found, found[-1].seen if more and found else None)

    def get(self, sighting_id: str) -> Sighting | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {COLUMNS} FROM sightings WHERE id = ?", (sighting_id,)
            ).fetchone()
        return None if row is None else from_row(row)

    def all(self) -> Iterator[Sighting]:
        """Oldest first (export)."""
        before: float | None = None
        while True:
            page = self.page(limit=500, before=before)
            yield from reversed(page.sightings)
            if page.next_before is None:
                return
            before = page.next_before

    def picture(self, sighting_id: str, which: str) -> Path | None:
        """The snapshot (`frame`) or the `crop` file of a kept sighting."""
        if self.get(sighting_id) is None:
            return None
        frame, crop = self._paths(sighting_id)
        return frame if which == "frame" else crop

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM sightings").fetchone()[0])

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
