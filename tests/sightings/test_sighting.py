"""A sighting's JSON: what the API, the feed and the webhooks send."""

from __future__ import annotations

from seefood.sightings.sighting import SightingJSON
from tests.sightings.helpers import sighting


def test_the_json_names_its_pictures_and_rounds() -> None:
    s = sighting(seen=1765000000.123456)
    data = s.to_json().model_dump(mode="json")
    assert data["seen"].startswith("2025-12-06T05:46:40.12") and data["seen"].endswith("Z")
    assert data["snapshot"] == f"/v1/sightings/{s.id}/snapshot.jpg"
    assert data["crop"] == f"/v1/sightings/{s.id}/crop.jpg"
    assert data["box"] == [40.0, 30.0, 120.0, 80.0]
    assert SightingJSON.model_validate(data) == s.to_json()
