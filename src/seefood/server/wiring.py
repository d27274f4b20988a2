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

from seefood.config import Settings, build_engine, default_threads
from seefood.detection.engine import Engine
from seefood.inference.service import InferenceService, ServiceConfig
from seefood.live import aiortc_patch
from seefood.live.ice import IceServers, is_loopback, use_host_addresses
from seefood.live.sdp import BitrateHints
from seefood.live.sessions import SessionLimits, SessionManager
from seefood.types import Size

if TYPE_CHECKING:  # Ray is optional: imported only when remote workers are asked for
    from seefood.inference.remote.reconciler import Reconciler

DECODE_CONCURRENCY = 2  # uploads decoded at once, in threads beside inference


def daemon_threads(settings: Settings) -> int:
    """onnxruntime threads per session of each local daemon."""
    return settings.threads or default_threads(os.cpu_count(), settings.daemons)


def build_engines(settings: Settings) -> list[Engine]:
    """One engine (its own onnxruntime sessions) per daemon, sharing the cores between them."""
    threads = daemon_threads(settings)
    return [build_engine(settings, threads) for _ in range(settings.daemons)]


def service_config(settings: Settings) -> ServiceConfig:
    return ServiceConfig(
        max_batch=settings.max_batch,
        max_batch_wait=settings.max_batch_wait_ms / 1000,
        target=settings.codel_target_ms / 1000,
        interval=settings.codel_interval_ms / 1000,
        backoff=settings.drop_backoff_ms / 1000,
        pace=settings.pace,
        max_stream_fps=settings.max_stream_fps,
    )


def session_limits(settings: Settings) -> SessionLimits:
    bitrate = None
    if settings.start_bitrate_kbps:
        bitrate = BitrateHints(
            settings.start_bitrate_kbps, settings.min_bitrate_kbps, settings.max_bitrate_kbps
        )
    return SessionLimits(
        max_sessions=settings.max_sessions,
        max_connecting=settings.max_connecting,
        max_connecting_per_client=settings.max_connecting_per_client,
        admission_wait=settings.admission_wait_seconds,
        max_waiting=settings.max_waiting,
        max_waiting_per_client=settings.max_waiting_per_client,
        allow_loopback=is_loopback(settings.host),
        connect_timeout=settings.connect_timeout_seconds,
        max_duration=settings.session_max_seconds,
        idle_timeout=settings.session_idle_seconds,
        reuse=settings.live_reuse,
        ice=IceServers(
            tuple(settings.ice_servers),
            settings.ice_username,
            settings.ice_credential,
            settings.turn_secret,
            settings.turn_ttl_seconds,
        ),
        bitrate=bitrate,
    )


def start_remote_workers(settings: Settings, service: InferenceService) -> Reconciler:
    """Join the Ray cluster and serve the broker from each of its seefood nodes too."""
    from seefood.inference.remote.cluster import connect

    connect(settings.ray_address or "auto")
    from seefood.inference.remote.reconciler import Reconciler
    from seefood.inference.remote.worker import model_settings

    reconciler = Reconciler(
        service, model_settings(settings), deadline=settings.worker_deadline_ms / 1000
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
    settings: Settings, engines: Sequence[Engine] | None = None, models: Models | None = None
) -> Lifespan:
    """The app's lifespan: `engines` given (tests share one), or built from the settings;
    `models` when there are no local daemons and the caller has read them already."""

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        built = list(engines) if engines is not None else build_engines(settings)
        # Without local daemons, what the models look at is read from a copy of them.
        seen = Models.of(built[0]) if built else models or Models.of(build_engine(settings, 1))
        app.state.models = seen.describe
        service = InferenceService(built, service_config(settings), input_size=seen.input_size)
        await service.start()
        remote = start_remote_workers(settings, service) if settings.ray_address else None
        use_host_addresses(settings.ice_host_addresses, settings.host)
        aiortc_patch.set_max_video_pixels(settings.max_video_pixels)
        sessions = SessionManager(service, session_limits(settings))
        app.state.settings = settings
        app.state.service = service
        app.state.sessions = sessions
        app.state.remote = remote
        app.state.decode_limiter = anyio.CapacityLimiter(DECODE_CONCURRENCY)
        try:
            yield
        finally:
            await sessions.close_all()  # graceful shutdown: every peer connection closed
            if remote is not None:
                await remote.stop()
            await service.stop()

    return run
