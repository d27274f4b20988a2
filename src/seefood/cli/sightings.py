"""`seefood sightings`: list, export or prune the sightings a server keeps."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from seefood.cli.settings import add_setting_flags, settings_from
from seefood.sightings.sqlite import DATABASE
from seefood.sightings.store import SightingStore


def add_sightings_parser(sub: Any) -> None:
    p = sub.add_parser("sightings", help="list, export or prune the sightings kept")
    p.add_argument("action", choices=["list", "export", "prune"])
    p.add_argument("directory", nargs="?", type=Path, help="export: where to write them")
    p.add_argument("--limit", type=int, default=20, help="list: how many, newest first")
    p.add_argument("--session", help="list: only this live session's")
    p.add_argument("--json", action="store_true", help="list: one JSON object per sighting")
    add_setting_flags(p, "sightings")
    p.set_defaults(func=cmd_sightings)


def cmd_sightings(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if not settings.sightings_database and not (settings.data_dir / DATABASE).exists():
        print(f"no sightings kept in {settings.data_dir}")
        return 0
    store = settings.open_store(owner=False)  # a server may be writing beside us
    try:
        if args.action == "list":
            return _list(store, args)
        if args.action == "export":
            return _export(store, args.directory)
        removed = store.prune()
        print(f"removed {removed} sightings; {store.count()} kept ({store.disk_bytes()} bytes)")
        return 0
    finally:
        store.close()


def _list(store: SightingStore, args: argparse.Namespace) -> int:
    page = store.page(limit=args.limit, session=args.session)
    if args.json:
        for s in page.sightings:
            print(s.to_json().model_dump_json())
        return 0
    table = Table("id", "seen (UTC)", "source", "session", "score")
    for s in page.sightings:
        seen = s.to_json().seen.strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(s.id, seen, s.source, s.session or "", f"{s.score:.2f}")
    Console().print(table)
    print(f"{store.count()} kept in {store.where} ({store.disk_bytes()} bytes)")
    return 0


def _export(store: SightingStore, directory: Path | None) -> int:
    """`directory`/sightings.jsonl (oldest first) and each one's pictures beside it."""
    if directory is None:
        raise ValueError("seefood sightings export needs a directory to write to")
    pictures = directory / "snapshots"
    pictures.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(directory / "sightings.jsonl", "w") as out:
        for s in store.all():
            frame, crop = store.picture(s.id, "frame"), store.picture(s.id, "crop")
            if frame is None or crop is None:
                continue  # removed meanwhile
            (pictures / f"{s.id}.jpg").write_bytes(frame)
            (pictures / f"{s.id}.crop.jpg").write_bytes(crop)
            record = json.loads(s.to_json().model_dump_json())
            record.update(snapshot=f"snapshots/{s.id}.jpg", crop=f"snapshots/{s.id}.crop.jpg")
            out.write(json.dumps(record) + "\n")
            count += 1
    print(f"exported {count} sightings to {directory}")
    return 0
