"""Every store test runs on both stores: SQLite (files) and a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from seefood.sightings.postgres import PostgresStore
from seefood.sightings.sqlite import SQLiteStore
from seefood.sightings.store import Retention, SightingStore
from tests.postgres import database_for

MakeStore = Callable[..., SightingStore]


@pytest.fixture(params=["sqlite", "postgres"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeStore]:
    """A maker of stores on one place (a directory, a database): each call opens it again,
    as a restarted server would; `max_age`, `max_bytes` set its retention."""
    opened: list[SightingStore] = []
    where: Any = database_for(request, request.param) or tmp_path

    def make(max_age: float = 86400.0, max_bytes: int = 2**30) -> SightingStore:
        retention = Retention(max_age, max_bytes)
        store: SightingStore = (
            SQLiteStore(where, retention)
            if request.param == "sqlite"
            else PostgresStore(where, retention)
        )
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()
