"""A row holds a sighting whole: to the table and back, the same."""

from __future__ import annotations

from dataclasses import replace

from seefood.sightings.schema import from_row, to_row
from tests.sightings.helpers import sighting


def test_a_row_and_back_is_the_same_sighting() -> None:
    s = replace(sighting(), size=1234)
    assert from_row(to_row(s)) == s
    plain = replace(s, box=None, evidence=None, session=None, source="still")
    assert from_row(to_row(plain)) == plain
