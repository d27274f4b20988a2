"""The sightings table: its shape (one version, kept in `PRAGMA user_version`) and rows."""

from __future__ import annotations

import json
from typing import Any

from seefood.sightings.sighting import Sighting

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS sightings (
    id TEXT PRIMARY KEY,
    seen REAL NOT NULL,
    source TEXT NOT NULL,
    session TEXT,
    score REAL NOT NULL,
    evidence REAL,
    box TEXT,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    size INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sightings_seen ON sightings (seen);
CREATE INDEX IF NOT EXISTS sightings_session ON sightings (session, seen);
"""
COLUMNS = "id, seen, source, session, score, evidence, box, width, height, size"


def to_row(s: Sighting) -> tuple[object, ...]:
    box = None if s.box is None else json.dumps(list(s.box))
    return (s.id, s.seen, s.source, s.session, s.score, s.evidence, box, s.width, s.height, s.size)


def from_row(row: Any) -> Sighting:
    sid, seen, source, session, score, evidence, box, width, height, size = row
    return Sighting(
        id=sid,
        seen=seen,
        source="live" if source == "live" else "still",
        session=session,
        score=score,
        evidence=evidence,
        box=None if box is None else tuple(json.loads(box)),
        width=width,
        height=height,
        size=size,
    )
