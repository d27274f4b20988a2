"""A real PostgreSQL server for the tests: Debian's binaries (scripts/test.sh installs the
`postgresql` package), a private cluster in a temporary directory on a free port, trusted on
127.0.0.1, stopped after the run. Its own cluster rather than the system's service: no
password to know, no port to share, nothing left behind. As root, it runs as `postgres`
(initdb refuses root).
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.conftest import free_port

_names = itertools.count(1)


def binaries() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


class PostgresServer:
    def __init__(self) -> None:
        bindir = binaries()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.root = Path(tempfile.mkdtemp(prefix="seefood-pg-"))
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.root, "postgres", "postgres")
        self.data = self.root / "data"
        self.port = free_port()
        self._run(
            bindir / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        self._pg_ctl = bindir / "pg_ctl"
        self._run(
            self._pg_ctl, "-D", self.data, "-l", self.root / "log", "-o", options, "-w", "start"
        )
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: object) -> None:
        subprocess.run(
            [*self._as, *map(str, command)], check=True, capture_output=True, timeout=120
        )

    def new_database(self) -> str:
        """A URL of a new, empty database."""
        import psycopg

        name = f"seefood_test_{next(_names)}"
        with psycopg.connect(self.url, autocommit=True) as db:
            db.execute(f"CREATE DATABASE {name}")
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def stop(self) -> None:
        self._run(self._pg_ctl, "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def database_for(request: pytest.FixtureRequest, kind: str) -> str | None:
    """A new database's URL on the run's PostgreSQL for `kind` "postgres"; None (SQLite)
    for "sqlite"."""
    if kind != "postgres":
        return None
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database()
