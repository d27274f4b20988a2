"""The web app: `POST /v1/detect` on still images, health, OpenAPI docs."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Literal

import anyio
from aiortc import RTCIceServer
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from seefood import __version__, aiortc_patch
from seefood.bitrate import BitrateHints
from seefood.config import Settings, build_detector
from seefood.detector import Detector
from seefood.images import ImageError, ImageTooLarge, decode_for_model
from seefood.service import InferenceService, Overloaded, ServiceConfig
from seefood.sessions import SessionLimits, SessionManager
from seefood.upload import read_image_upload
from seefood.webrtc_api import router as webrtc_router


class DetectionOut(BaseModel):
    class_id: int
    class_name: str
    score: float
    box: list[float] = Field(description="[x, y, width, height] in source pixels")


class DetectResponse(BaseModel):
    width: int
    height: int
    verdict: Literal["hotdog", "not_hotdog"]
    hotdog_score: float = Field(description="best hot-dog score, 0 if none")
    detections: list[DetectionOut]
    timings_ms: dict[str, float]


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    model: str
    layout: str
    sessions: int


def build_detectors(settings: Settings) -> list[Detector]:
    """One detector (onnxruntime session) per daemon, sharing the cores between them."""
    threads = settings.threads or max(1, (os.cpu_count() or 1) // settings.daemons)
    return [build_detector(settings, threads) for _ in range(settings.daemons)]


def service_config(settings: Settings) -> ServiceConfig:
    return ServiceConfig(
        max_batch=settings.max_batch,
        max_batch_wait=settings.max_batch_wait_ms / 1000,
        target=settings.codel_target_ms / 1000,
        interval=settings.codel_interval_ms / 1000,
        backoff=settings.drop_backoff_ms / 1000,
    )


def session_limits(settings: Settings) -> SessionLimits:
    servers = [
        RTCIceServer(
            urls=url,
            username=settings.ice_username if url.startswith("turn") else None,
            credential=settings.ice_credential if url.startswith("turn") else None,
        )
        for url in settings.ice_servers
    ]
    bitrate = (
        BitrateHints(
            settings.start_bitrate_kbps, settings.min_bitrate_kbps, settings.max_bitrate_kbps
        )
        if settings.start_bitrate_kbps
        else None
    )
    return SessionLimits(
        max_sessions=settings.max_sessions,
        max_duration=settings.session_max_seconds,
        idle_timeout=settings.session_idle_seconds,
        ice_servers=servers,
        bitrate=bitrate,
    )


def create_app(settings: Settings | None = None, detector: Detector | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        detectors = [detector] if detector is not None else build_detectors(settings)
        service = InferenceService(detectors, service_config(settings))
        await service.start()
        aiortc_patch.apply()
        # Serving on loopback means a single machine: offer 127.0.0.1 too, which aioice skips.
        aiortc_patch.set_host_addresses(
            settings.ice_host_addresses
            or aiortc_patch.default_host_addresses(aiortc_patch.is_loopback(settings.host))
        )
        sessions = SessionManager(service, session_limits(settings))
        app.state.detector = detectors[0]
        app.state.service = service
        app.state.sessions = sessions
        # Decoding uploads runs beside inference, in threads; two at a time is plenty.
        app.state.limiter = anyio.CapacityLimiter(2)
        try:
            yield
        finally:
            await sessions.close_all()  # graceful shutdown: every peer connection closed
            await service.stop()

    app = FastAPI(
        title="seefood",
        version=__version__,
        description="Hotdog or not hotdog: COCO object detection on images and live video.",
        lifespan=lifespan,
    )

    @app.get("/healthz", response_model=Health)
    async def healthz(request: Request) -> Health:
        det: Detector = request.app.state.detector
        sessions: SessionManager = request.app.state.sessions
        return Health(
            status="ok", version=__version__, model=det.model.path.name,
            layout=det.model.layout, sessions=len(sessions.sessions),
        )  # fmt: skip

    app.include_router(webrtc_router)
    static = Path(str(resources.files("seefood") / "static"))
    app.mount("/static", StaticFiles(directory=static), name="static")

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(static / "index.html", headers={"cache-control": "no-cache"})

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        service: InferenceService = request.app.state.service
        return Response(generate_latest(service.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.post(
        "/v1/detect",
        response_model=DetectResponse,
        responses={
            400: {"description": "empty body or malformed multipart"},
            413: {"description": "body or image too large"},
            415: {"description": "unsupported content type"},
            422: {"description": "not a decodable image"},
            503: {"description": "overloaded: the request waited too long; retry"},
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "image/*": {"schema": {"type": "string", "format": "binary"}},
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {"image": {"type": "string", "format": "binary"}},
                            "required": ["image"],
                        }
                    },
                },
            }
        },
    )
    async def detect(request: Request) -> DetectResponse:
        """Detect objects in one image, sent as the raw body or as a multipart file."""
        data = await read_image_upload(request, settings.max_upload_bytes)
        service: InferenceService = request.app.state.service
        limiter: anyio.CapacityLimiter = request.app.state.limiter
        try:
            t0 = time.perf_counter()
            at_least = request.app.state.detector.model.input_size
            image, size = await anyio.to_thread.run_sync(
                lambda: decode_for_model(
                    data, max_pixels=settings.max_image_pixels, at_least=at_least
                ),
                limiter=limiter,
            )
            decode_ms = (time.perf_counter() - t0) * 1000
        except ImageTooLarge as exc:
            raise HTTPException(413, str(exc)) from None
        except ImageError as exc:
            raise HTTPException(422, str(exc)) from None
        try:
            inference, sojourn = await service.detect(image)
        except Overloaded as exc:
            raise HTTPException(503, str(exc), headers={"Retry-After": "1"}) from None
        result = inference.result.rescaled(*size)
        queued_ms = sojourn * 1000
        timings = {"decode": decode_ms, "queued": queued_ms, **result.timings_ms}
        timings["total"] = result.timings_ms["total"] + decode_ms + queued_ms
        timings = {k: round(v, 2) for k, v in timings.items()}
        return DetectResponse.model_validate({**result.to_dict(), "timings_ms": timings})

    return app
