"""`GET /healthz` and `GET /metrics` (Prometheus)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from seefood import __version__
from seefood.inference.remote.proxy import RemoteDaemon
from seefood.inference.service import InferenceService
from seefood.live.session_manager import SessionManager

router = APIRouter()


class WorkerHealth(BaseModel):
    """A remote worker (SEEFOOD_RAY_ADDRESS), as its proxy on this server sees it."""

    name: str
    state: Literal["starting", "serving", "down"]
    host: str | None
    providers: str | None
    inferences: int
    failures: int
    in_flight: int
    round_trip_ms: float | None


class Health(BaseModel):
    """Beyond loopback without the token only `status` (what a load balancer needs): the
    rest (version, models, load, worker hosts) tells a stranger what to attack."""

    status: Literal["ok"]
    version: str | None = None
    model: str | None = None
    layout: str | None = None
    sessions: int | None = None
    local_daemons: int | None = None
    workers: list[WorkerHealth] | None = None


@router.get("/healthz", response_model=Health, response_model_exclude_unset=True)
async def healthz(request: Request) -> Health:
    if not getattr(request.state, "trusted", True):
        return Health(status="ok")
    sessions: SessionManager = request.app.state.sessions
    models: dict[str, str] = request.app.state.models
    service: InferenceService = request.app.state.service
    return Health(
        status="ok",
        version=__version__,
        model=models["model"],
        layout=models["layout"],
        sessions=len(sessions.sessions),
        local_daemons=len(service.local_daemons),
        workers=[_worker(d) for d in service.pool.daemons if isinstance(d, RemoteDaemon)],
    )


def _worker(daemon: RemoteDaemon) -> WorkerHealth:
    info = daemon.info
    return WorkerHealth(
        name=daemon.name,
        state=daemon.state.value,
        host=info["host"] if info else None,
        providers=info["providers"] if info else None,
        inferences=daemon.inferences,
        failures=daemon.failures,
        in_flight=daemon.in_flight,
        round_trip_ms=None if daemon.round_trip is None else round(daemon.round_trip * 1000, 2),
    )


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    service: InferenceService = request.app.state.service
    return Response(generate_latest(service.metrics.registry), media_type=CONTENT_TYPE_LATEST)
