"""Sightings' settings: whether they are kept, where, for how long, and who is told."""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import CollectorRegistry
from pydantic import model_validator

from seefood.setting import Section, Words, setting
from seefood.sightings.metrics import SightingMetrics
from seefood.sightings.recorder import Recorder
from seefood.sightings.store import Retention, SightingStore
from seefood.sightings.webhooks import Webhook, Webhooks, signing_key

GIB = 2**30


def default_data_dir() -> Path:
    """Per user, where such data lives on this system: $XDG_DATA_HOME/seefood, else
    ~/.local/share/seefood."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "seefood"


class SightingsSettings(Section):
    sightings: bool = setting(
        True,
        "keep sightings (hot dogs confirmed in live video, and stills sent with "
        "?sighting=true) with their snapshots; off: nothing is written",
        flag=("serve",),
    )
    data_dir: Path = setting(
        description="where sightings and their snapshots are kept",
        factory=default_data_dir,
        shown="$XDG_DATA_HOME/seefood or ~/.local/share/seefood",
        flag=("serve", "sightings"),
    )
    sightings_database: str | None = setting(
        None,
        "a PostgreSQL URL (postgresql://user:password@host/db) to keep the sightings in, "
        "pictures and all, instead of SQLite and files under SEEFOOD_DATA_DIR (several "
        "servers may share it; needs pip install 'seefood[postgres]')",
        shown="none: SQLite in SEEFOOD_DATA_DIR",
        flag=("serve", "sightings"),
    )
    sightings_max_age_days: float = setting(
        30, "sightings older than this are removed", gt=0, flag=("serve", "sightings")
    )
    sightings_max_bytes: int = setting(
        GIB,
        "the most the sightings may take on disk, database and snapshots together; the "
        "oldest go first",
        ge=1,
        flag=("serve", "sightings"),
    )
    webhook_urls: Words = setting(
        description="URLs each new sighting is POSTed to as JSON (Standard Webhooks headers, "
        "signed with SEEFOOD_WEBHOOK_SECRET)",
        factory=list,
    )
    webhook_secret: str | None = setting(
        None,
        "the webhooks' signing key: 'whsec_' and base64, as Standard Webhooks libraries "
        "take it, or any text (its UTF-8 bytes)",
    )
    webhook_attempts: int = setting(
        6, "tries per webhook delivery before it counts as failed", ge=1, le=20
    )
    webhook_retry_seconds: float = setting(
        1.0, "the wait before a webhook's second try; doubled for each try after", gt=0
    )
    webhook_queue: int = setting(
        1000, "deliveries waiting per webhook URL; more are dropped, never waited for", ge=1
    )

    @model_validator(mode="after")
    def _signed(self) -> SightingsSettings:
        if self.webhook_urls and not self.webhook_secret:
            raise ValueError(
                "SEEFOOD_WEBHOOK_URLS needs SEEFOOD_WEBHOOK_SECRET (deliveries are signed)"
            )
        for url in self.webhook_urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"SEEFOOD_WEBHOOK_URLS: {url!r} is not an http(s) URL")
        if self.webhook_secret:
            try:
                signing_key(self.webhook_secret)
            except ValueError:
                raise ValueError(
                    "SEEFOOD_WEBHOOK_SECRET: after 'whsec_' comes the key in base64"
                ) from None
        return self

    def open_store(self, *, owner: bool = True) -> SightingStore:
        """`owner`: the server's (it migrates the schema, recovers from a crash); else a
        reader beside it, which must touch neither."""
        retention = Retention(self.sightings_max_age_days * 86400, self.sightings_max_bytes)
        if self.sightings_database:
            from seefood.sightings.postgres import PostgresStore

            return PostgresStore(self.sightings_database, retention, migrate_schema=owner)
        from seefood.sightings.sqlite import SQLiteStore

        return SQLiteStore(self.data_dir, retention, recover=owner)


def build_recorder(settings: SightingsSettings, registry: CollectorRegistry) -> Recorder | None:
    """The recorder the settings ask for (None: sightings are off), not yet started."""
    if not settings.sightings:
        return None
    metrics = SightingMetrics(registry)
    key = signing_key(settings.webhook_secret or "")
    hooks = [
        Webhook(
            url,
            key,
            attempts=settings.webhook_attempts,
            retry=settings.webhook_retry_seconds,
            queue=settings.webhook_queue,
            on_outcome=metrics.webhook_outcome,
        )
        for url in settings.webhook_urls
    ]
    return Recorder(settings.open_store(), Webhooks(hooks), metrics)
