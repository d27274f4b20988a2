"""`GET /healthz` and `GET /metrics` (Prometheus)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from seefood import __version__
from seefood.inference.service import InferenceService
from seefood.live.sessions import SessionManager

router = APIRouter()


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    model: str
    layout: str
    sessions: int


@router.get("/healthz", response_model=Health)
async def healthz(request: Request) -> Health:
    sessions: SessionManager = request.app.state.sessions
    models: dict[str, str] = request.app.state.models
    return Health(
        status="ok",
        version=__version__,
        model=models["model"],
        layout=models["layout"],
        sessions=len(sessions.sessions),
    )


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    service: InferenceService = request.app.state.service
    return Response(generate_latest(service.metrics.registry), media_type=CONTENT_TYPE_LATEST)
