"""Sightings: hot dogs the cameras confirmed (and stills asked to be kept), with snapshots,
stored, browsable, and pushed to other systems."""
