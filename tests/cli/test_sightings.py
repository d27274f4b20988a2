"""`seefood sightings`: list, export and prune a data directory's sightings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seefood.cli import main
from seefood.sightings.sqlite import SQLiteStore
from seefood.sightings.store import Retention
from tests.sightings.helpers import sighting, snapshot


def fill(directory: Path, n: int) -> list[str]:
    store = SQLiteStore(directory, Retention(86400, 2**30))
    kept = [store.add(sighting(), snapshot(i)) for i in range(n)]
    store.close()
    return [k.id for k in kept if k is not None]


def test_list_export_and_prune(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    ids = fill(data, 3)
    assert main(["sightings", "list", "--json", "--data-dir", str(data)]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [s["id"] for s in listed] == ids[::-1]
    assert main(["sightings", "list", "--data-dir", str(data)]) == 0
    assert "3 kept in" in capsys.readouterr().out
    out = tmp_path / "export"
    assert main(["sightings", "export", str(out), "--data-dir", str(data)]) == 0
    rows = [json.loads(line) for line in (out / "sightings.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ids, "oldest first"
    assert all((out / r["snapshot"]).read_bytes()[:2] == b"\xff\xd8" for r in rows)
    size = sum(p.stat().st_size for p in (data / "snapshots").iterdir())
    limit = str(size)  # room for the files, not the database too: the oldest must go
    assert (
        main(["sightings", "prune", "--sightings-max-bytes", limit, "--data-dir", str(data)]) == 0
    )
    assert "removed " in capsys.readouterr().out
    assert SQLiteStore(data, Retention(86400, 2**30)).count() < 3


def test_nothing_kept_and_bad_use_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sightings", "list", "--data-dir", str(tmp_path / "none")]) == 0
    assert "no sightings kept in" in capsys.readouterr().out
    fill(tmp_path, 1)
    assert main(["sightings", "export", "--data-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0
