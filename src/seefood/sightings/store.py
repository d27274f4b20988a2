"""Where sightings are kept: what every store does, and the reading they share.

Two stores: SQLite with the pictures as files beside it (`sqlite`, the default: one box,
nothing to run), and PostgreSQL with the pictures in the rows (`postgres`: several servers
sharing one). Their calls block (disk, network): the recorder and the API run them in
threads; each store serialises its own connection with a lock.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from seefood.sightings.schema import COLUMNS, from_row
from seefood.sightings.sighting import Sighting
from seefood.sightings.snapshots import Snapshot

Picture = Literal["frame", "crop"]


class StoreError(RuntimeError):
    """The store cannot be used (not writable, unreachable, of a newer seefood)."""


@dataclass(frozen=True, slots=True)
class Retention:
    max_age: float  # seconds
    max_bytes: int


@dataclass(frozen=True, slots=True)
class Page:
    sightings: list[Sighting]
    next_before: float | None  # pass as `before` for the next (older) page; None: the last


class SightingStore(ABC):
    def __init__(self, retention: Retention) -> None:
        self.retention = retention
        self._lock = threading.Lock()

    @property
    @abstractmethod
    def where(self) -> str:
        """Where it keeps them, for a person (no password)."""

    @abstractmethod
    def _rows(self, sql: str, args: list[Any]) -> list[Any]:
        """Run a query (`?` for each argument) and return its rows; called under the lock."""

    @abstractmethod
    def add(self, sighting: Sighting, snapshot: Snapshot) -> Sighting | None:
        """Keep it (room made first, the oldest removed); None if it alone is over the limit."""

    @abstractmethod
    def delete(self, sighting_id: str) -> bool: ...

    @abstractmethod
    def prune(self, now: float | None = None) -> int:
        """Apply retention now; how many were removed."""

    @abstractmethod
    def picture(self, sighting_id: str, which: Picture) -> bytes | None:
        """A kept sighting's snapshot (`frame`, boxed) or `crop`, as JPEG."""

    @abstractmethod
    def disk_bytes(self) -> int:
        """What the sightings take where they are kept."""

    @abstractmethod
    def close(self) -> None: ...

    def page(
        self,
        *,
        limit: int = 50,
        before: float | None = None,
        after: float | None = None,
        session: str | None = None,
    ) -> Page:
        """Newest first: those seen before `before` and after `after`, of `session`."""
        where: list[str] = ["1 = 1"]
        args: list[Any] = []
        for clause, value in (("seen < ?", before), ("seen > ?", after), ("session = ?", session)):
            if value is not None:
                where.append(clause)
                args.append(value)
        sql = (
            f"SELECT {COLUMNS} FROM sightings WHERE {' AND '.join(where)} "
            "ORDER BY seen DESC, id DESC LIMIT ?"
        )
        with self._lock:
            rows = self._rows(sql, [*args, limit + 1])
        found = [from_row(r) for r in rows[:limit]]
        more = len(rows) > limit
        return Page(found, found[-1].seen if more and found else None)

    def get(self, sighting_id: str) -> Sighting | None:
        with self._lock:
            rows = self._rows(f"SELECT {COLUMNS} FROM sightings WHERE id = ?", [sighting_id])
        return from_row(rows[0]) if rows else None

    def all(self) -> Iterator[Sighting]:
        """Oldest first (export)."""
        before: float | None = None
        while True:
            page = self.page(limit=500, before=before)
            yield from reversed(page.sightings)
            if page.next_before is None:
                return
            before = page.next_before

    def count(self) -> int:
        with self._lock:
            return int(self._rows("SELECT COUNT(*) FROM sightings", [])[0][0])
