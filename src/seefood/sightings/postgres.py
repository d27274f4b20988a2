"""Sightings in PostgreSQL, pictures in the rows: several servers can share one store.

The schema is Alembic's (`migrations/`), brought up to date when a server opens the store,
under an advisory lock so that servers starting together migrate once. A sighting is one
INSERT, its pictures with it: committed whole or not at all, so nothing needs recovering
after a crash. Retention counts the pictures' bytes (what the limit is for; the database's
own overhead and its vacuuming are its server's business) and runs under a transaction
lock, so that two servers pruning at once remove no more than needed.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from seefood.errors import first_line
from seefood.sightings.schema import COLUMNS, to_row
from seefood.sightings.sighting import Sighting
from seefood.sightings.snapshots import Snapshot
from seefood.sightings.store import Picture, Retention, SightingStore, StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
LOCK = 0x5EEF00D  # the advisory lock's key: migrations and retention
CONNECT_TIMEOUT = 10


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StoreError(
            "a PostgreSQL store needs seefood's postgres extra: pip install 'seefood[postgres]'"
        ) from None
    return psycopg


def migrate(url: str) -> None:
    """Bring the schema at `url` to this seefood's (Alembic's `upgrade head`)."""
    import sqlalchemy
    from alembic import command
    from alembic.config import Config

    engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f"SELECT pg_advisory_xact_lock({LOCK})"))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


class PostgresStore(SightingStore):
    def __init__(self, url: str, retention: Retention, *, migrate_schema: bool = True) -> None:
        super().__init__(retention)
        psycopg = _psycopg()
        self.url = url
        try:
            if migrate_schema:
                migrate(url)
            self._db = psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT)
        except Exception as exc:  # psycopg's and SQLAlchemy's errors alike
            raise StoreError(f"cannot keep sightings in {self.where}: {first_line(exc)}") from None

    @property
    def where(self) -> str:
        parts = urlsplit(self.url)
        host = parts.hostname or "localhost"
        return f"postgresql://{host}{f':{parts.port}' if parts.port else ''}{parts.path}"

    def _rows(self, sql: str, args: list[Any]) -> list[Any]:
        with self._db.transaction():
            rows: list[Any] = self._db.execute(sql.replace("?", "%s"), args).fetchall()
        return rows

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(self, sighting: Sighting, snapshot: Snapshot) -> Sighting | None:
        if snapshot.size > self.retention.max_bytes:
            return None
        kept = replace(sighting, size=snapshot.size)
        with self._lock, self._db.transaction():
            self._make_room(snapshot.size, time.time())
            self._db.execute(
                f"INSERT INTO sightings ({COLUMNS}, frame, crop) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [*to_row(kept), snapshot.frame, snapshot.crop],
            )
        return kept

    def delete(self, sighting_id: str) -> bool:
        with self._lock, self._db.transaction():
            cursor = self._db.execute("DELETE FROM sightings WHERE id = %s", [sighting_id])
            return bool(cursor.rowcount)

    def prune(self, now: float | None = None) -> int:
        with self._lock, self._db.transaction():
            return self._make_room(0, time.time() if now is None else now)

    def _make_room(self, needed: int, now: float) -> int:
        """In the caller's transaction: the old, then the oldest beyond the byte limit."""
        db = self._db
        db.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
        old = db.execute(
            "DELETE FROM sightings WHERE seen < %s", [now - self.retention.max_age]
        ).rowcount
        over = db.execute(
            "DELETE FROM sightings WHERE id IN (SELECT id FROM (SELECT id, SUM(size) OVER "
            "(ORDER BY seen DESC, id DESC) AS kept FROM sightings) newest WHERE kept > %s)",
            [self.retention.max_bytes - needed],
        ).rowcount
        return int(old) + int(over)

    def picture(self, sighting_id: str, which: Picture) -> bytes | None:
        column = "frame" if which == "frame" else "crop"
        with self._lock:
            rows = self._rows(f"SELECT {column} FROM sightings WHERE id = ?", [sighting_id])
        return bytes(rows[0][0]) if rows else None

    def disk_bytes(self) -> int:
        with self._lock:
            return int(self._rows("SELECT COALESCE(SUM(size), 0) FROM sightings", [])[0][0])
