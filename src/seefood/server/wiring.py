"""From settings to running components: the inference service and the live sessions.

`lifespan` starts them with the app and stops them with it (every peer connection closed,
then the daemons), and leaves them on `app.state` for the routes.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import anyio
from fastapi import FastAPI

from seefood.detection.engine import Engine
from seefood.detection.settings import EngineSettings, build_engine
from seefood.inference.service import InferenceService
from seefood.inference.settings import InferenceSettings, default_threads
from seefood.live import aiortc_patch
from seefood.live.ice import is_loopback, use_host_addresses
from seefood.live.session_manager import SessionManager
from seefood.server.settings import ServerSettings
from seefood.sightings.settings import build_recorder
from seefood.types import Size

if TYPE_CHECKING:  # Ray is optional: imported only when remote workers are asked for
    from seefood.inference.remote.reconciler import Reconciler

DECODE_CONCURRENCY = 2  # uploads decoded at once, in threads beside inference


def daemon_threads(engine: EngineSettings, inference: InferenceSettings) -> int:
    """onnxruntime threads per session of each local daemon."""
    return engine.threads or default_threads(os.cpu_count(), inference.daemons)


def build_engines(engine: EngineSettings, inference: InferenceSettings) -> list[Engine]:
    """One engine (its own onnxruntime sessions) per daemon, sharing the cores between them."""
    threads = daemon_threads(engine, inference)
    return [build_engine(engine, threads) for _ in range(inference.daemons)]


def start_remote_workers(settings: ServerSettings, service: InferenceService) -> Reconciler:
    """Join the Ray cluster and serve the broker from each of its seefood nodes too."""
    from seefood.inference.remote.cluster import connect

    connect(settings.ray_address or "auto")
    from seefood.inference.remote.reconciler import Reconciler
    from seefood.inference.remote.worker import model_settings

    reconciler = Reconciler(
        service, model_settings(settings), deadline=settings.worker_deadline_seconds
    )
    reconciler.start()
    return reconciler


Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


@dataclass(frozen=True, slots=True)
class Models:
    """What the app tells of the models (/healthz) and sizes frames to, without an engine."""

    describe: dict[str, str]
    input_size: Size

    @classmethod
    def of(cls, engine: Engine) -> Models:
        return cls(engine.describe(), engine.input_size)


def lifespan(
    settings: ServerSettings, engines: Sequence[Engine] | None = None, models: Models | None = None
) -> Lifespan:
    """The app's lifespan: `engines` given (tests share one), or built from the settings;
    `models` when there are no local daemons and the caller has read them already."""

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        built = list(engines) if engines is not None else build_engines(settings, settings)
        # Without local daemons, what the models look at is read from a copy of them.
        seen = Models.of(built[0]) if built else models or Models.of(build_engine(settings, 1))
        app.state.models = seen.describe
        service = InferenceService(built, settings, input_size=seen.input_size)
        await service.start()
        remote = start_remote_workers(settings, service) if settings.ray_address else None
        use_host_addresses(settings.ice_host_addresses, settings.host)
        aiortc_patch.set_max_video_pixels(settings.max_video_pixels)
        recorder = build_recorder(settings, service.metrics.registry)
        if recorder is not None:
            recorder.start()
        sessions = SessionManager(
            service,
            settings,
            allow_loopback=is_loopback(settings.host),
            on_sighting=None if recorder is None else recorder.seen,
        )
        app.state.settings = settings
        app.state.service = service
        app.state.sessions = sessions
        app.state.remote = remote
        app.state.recorder = recorder
        app.state.decode_limiter = anyio.CapacityLimiter(DECODE_CONCURRENCY)
        try:
            yield
        finally:
            await sessions.close_all()  # graceful shutdown: every peer connection closed
            if remote is not None:
                await remote.stop()
            if recorder is not None:
                await recorder.stop()
            await service.stop()

    return run
