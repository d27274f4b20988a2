"""The web app: `POST /v1/detect` on still images, health, OpenAPI docs."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

import anyio
from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel, Field

from seefood import __version__
from seefood.config import Settings
from seefood.detector import Detector
from seefood.images import ImageError, ImageTooLarge, decode_image
from seefood.upload import read_image_upload


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


def create_app(settings: Settings | None = None, detector: Detector | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.detector = detector or Detector(
            settings.model,
            threshold=settings.threshold,
            min_score=settings.min_score,
            iou_threshold=settings.iou_threshold,
            threads=settings.threads,
        )
        # Decoding overlaps inference; more than two at once would only queue on the cores.
        app.state.limiter = anyio.CapacityLimiter(2)
        yield

    app = FastAPI(
        title="seefood",
        version=__version__,
        description="Hotdog or not hotdog: COCO object detection on images and live video.",
        lifespan=lifespan,
    )

    @app.get("/healthz", response_model=Health)
    async def healthz(request: Request) -> Health:
        det: Detector = request.app.state.detector
        return Health(
            status="ok", version=__version__, model=det.model.path.name, layout=det.model.layout
        )

    @app.post(
        "/v1/detect",
        response_model=DetectResponse,
        responses={
            400: {"description": "empty body or malformed multipart"},
            413: {"description": "body or image too large"},
            415: {"description": "unsupported content type"},
            422: {"description": "not a decodable image"},
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
        det: Detector = request.app.state.detector
        limiter: anyio.CapacityLimiter = request.app.state.limiter
        try:
            t0 = time.perf_counter()
            image = await anyio.to_thread.run_sync(
                lambda: decode_image(data, max_pixels=settings.max_image_pixels), limiter=limiter
            )
            decode_ms = (time.perf_counter() - t0) * 1000
        except ImageTooLarge as exc:
            raise HTTPException(413, str(exc)) from None
        except ImageError as exc:
            raise HTTPException(422, str(exc)) from None
        result = await anyio.to_thread.run_sync(det.detect, image, limiter=limiter)
        result.timings_ms = {"decode": decode_ms, **result.timings_ms}
        result.timings_ms["total"] += decode_ms
        return DetectResponse.model_validate(result.to_dict())

    return app
