"""The PostgreSQL store's own promises, on a real server: Alembic's schema, made once however
many servers start, shared by them; a server it cannot reach is one clear error."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from seefood.sightings.postgres import PostgresStore
from seefood.sightings.store import Retention, StoreError
from tests.conftest import free_port
from tests.sightings.helpers import sighting, snapshot

RETENTION = Retention(86400, 2**30)


def test_the_schema_is_alembics_and_two_servers_share_the_store(postgres: Any) -> None:
    url = postgres.new_database()
    one, two = PostgresStore(url, RETENTION), PostgresStore(url, RETENTION)  # migrated once
    with psycopg.connect(url) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
    kept = one.add(sighting(), snapshot())
    assert kept is not None and two.get(kept.id) == kept
    assert two.picture(kept.id, "crop") == one.picture(kept.id, "crop")
    assert two.delete(kept.id) and one.count() == 0
    one.close()
    two.close()


def test_a_reader_does_not_migrate(postgres: Any) -> None:
    url = postgres.new_database()
    PostgresStore(url, RETENTION, migrate_schema=False).close()
    with psycopg.connect(url) as db:
        tables = db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        assert tables.fetchall() == []


def test_an_unreachable_server_is_one_line_without_its_password() -> None:
    url = f"postgresql://seefood:s3cret@127.0.0.1:{free_port()}/sightings"
    with pytest.raises(StoreError) as caught:
        PostgresStore(url, RETENTION)
    message = str(caught.value)
    assert message.startswith("cannot keep sightings in postgresql://127.0.0.1:")
    assert "s3cret" not in message
