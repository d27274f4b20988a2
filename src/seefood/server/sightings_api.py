"""`/v1/sightings`: the hot dogs kept, their snapshots, their removal, and a live feed (SSE)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from seefood.sightings.recorder import Recorder, TooManyFeeds
from seefood.sightings.sighting import SightingJSON
from seefood.sightings.store import Picture, SightingStore

router = APIRouter(prefix="/v1/sightings", tags=["sightings"])

HALF_MICROSECOND = 5e-7
HEARTBEAT = 15.0  # seconds between comments on a quiet feed (proxies close idle streams)
OFF = "sightings are off on this server (SEEFOOD_SIGHTINGS=off)"
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such sighting, or sightings are off"}
}


class SightingsPage(BaseModel):
    sightings: list[SightingJSON] = Field(description="newest first")
    next: str | None = Field(description="the URL of the next (older) page; null: the last")


def _recorder(request: Request) -> Recorder:
    recorder: Recorder | None = request.app.state.recorder
    if recorder is None:
        raise HTTPException(404, OFF)
    return recorder


def _store(request: Request) -> SightingStore:
    return _recorder(request).store


@router.get("", response_model=SightingsPage, responses=NOT_FOUND)
async def list_sightings(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before: Annotated[datetime | None, Query(description="seen before (ISO 8601)")] = None,
    after: Annotated[datetime | None, Query(description="seen after (ISO 8601)")] = None,
    session: Annotated[str | None, Query(max_length=64, description="of this session")] = None,
) -> SightingsPage:
    """The sightings kept, newest first, a page at a time."""
    store = _store(request)
    page = await anyio.to_thread.run_sync(
        lambda: store.page(
            limit=limit,
            # The JSON's times are to the microsecond: a time given back means that one.
            before=None if before is None else before.timestamp() - HALF_MICROSECOND,
            after=None if after is None else after.timestamp() + HALF_MICROSECOND,
            session=session,
        )
    )
    following = None
    if page.next_before is not None:
        oldest = page.sightings[-1].to_json().seen.isoformat()
        following = str(request.url.include_query_params(before=oldest))
    return SightingsPage(sightings=[s.to_json() for s in page.sightings], next=following)


@router.get("/feed", responses={**NOT_FOUND, 503: {"description": "too many readers"}})
async def feed(request: Request) -> StreamingResponse:
    """New sightings as Server-Sent Events (`event: sighting`, the sighting as `data`)."""
    recorder = _recorder(request)
    try:
        opened = recorder.feed()
        queue = await opened.__aenter__()
    except TooManyFeeds as exc:
        raise HTTPException(503, str(exc), headers={"Retry-After": "10"}) from None

    async def events() -> AsyncIterator[str]:
        try:
            yield ": seefood sightings\n\n"
            while True:
                try:
                    sighting = await asyncio.wait_for(queue.get(), HEARTBEAT)
                except TimeoutError:
                    yield ": alive\n\n"
                    continue
                if sighting is None:
                    return
                data = sighting.to_json().model_dump_json()
                yield f"event: sighting\nid: {sighting.id}\ndata: {data}\n\n"
        finally:
            await opened.__aexit__(None, None, None)

    headers = {"cache-control": "no-store", "x-accel-buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


@router.get("/{sighting_id}", response_model=SightingJSON, responses=NOT_FOUND)
async def get_sighting(request: Request, sighting_id: str) -> SightingJSON:
    store = _store(request)
    found = await anyio.to_thread.run_sync(store.get, sighting_id)
    if found is None:
        raise HTTPException(404, f"no sighting {sighting_id!r}")
    return found.to_json()


@router.get(
    "/{sighting_id}/{which}.jpg",
    response_class=Response,
    responses={**NOT_FOUND, 200: {"content": {"image/jpeg": {}}}},
)
async def picture(
    request: Request, sighting_id: str, which: Literal["snapshot", "crop"]
) -> Response:
    """The frame with the hot dog boxed (`snapshot`), or its region (`crop`)."""
    store = _store(request)
    kind: Picture = "frame" if which == "snapshot" else "crop"
    jpeg = await anyio.to_thread.run_sync(store.picture, sighting_id, kind)
    if jpeg is None:
        raise HTTPException(404, f"no sighting {sighting_id!r}")
    # Immutable: a sighting's pictures never change (its id is new for every sighting).
    return Response(
        jpeg, media_type="image/jpeg", headers={"cache-control": "private, max-age=86400"}
    )


@router.delete("/{sighting_id}", status_code=204, responses=NOT_FOUND)
async def delete_sighting(request: Request, sighting_id: str) -> Response:
    """Remove a sighting and its pictures (beyond loopback: with the access token)."""
    store = _store(request)
    if not await anyio.to_thread.run_sync(store.delete, sighting_id):
        raise HTTPException(404, f"no sighting {sighting_id!r}")
    return Response(status_code=204)


def sse_data(text: str) -> list[dict[str, object]]:
    """The sightings in a text of Server-Sent Events (clients and tests read the feed so)."""
    out = []
    for block in text.split("\n\n"):
        lines = [ln.removeprefix("data: ") for ln in block.split("\n") if ln.startswith("data: ")]
        if lines:
            out.append(json.loads("\n".join(lines)))
    return out
