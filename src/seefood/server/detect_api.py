"""`POST /v1/detect`: one still image in, the verdict and the boxes out."""

from __future__ import annotations

import base64
import io
from functools import partial

import anyio
from fastapi import APIRouter, HTTPException, Query, Request
from PIL import Image
from pydantic import Field

from seefood.detection.result import DetectionResult, ResultJSON
from seefood.inference.service import InferenceService, Overloaded
from seefood.server.settings import ServerSettings
from seefood.server.upload import read_image_upload
from seefood.sightings.recorder import Recorder, Seen
from seefood.sightings.sighting import SightingJSON
from seefood.stills.images import ImageError, ImageTooLarge
from seefood.stills.pipeline import decode_still, reported
from seefood.types import RGBImage

router = APIRouter()


class DetectResponse(ResultJSON):
    preview: str | None = Field(
        None, description="with ?preview=true: the image as the server decoded it, a JPEG data URL"
    )
    sighting: SightingJSON | None = Field(
        None,
        description="with ?sighting=true: the sighting kept when the verdict is hotdog (null: "
        "not hotdog, or sightings are off on this server)",
    )


def preview_url(image: RGBImage) -> str:
    """The upright image as a small JPEG data URL, for pages whose browser cannot show the
    file itself (HEIC outside Safari)."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


_BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.post(
    "/v1/detect",
    response_model=DetectResponse,
    response_model_exclude_unset=True,
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
                "image/*": _BINARY,
                "application/octet-stream": _BINARY,
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
async def detect(
    request: Request,
    preview: bool = Query(
        False, description="also answer the decoded image as a JPEG data URL (`preview`)"
    ),
    sighting: bool = Query(
        False, description="keep a hot dog as a sighting, with its snapshot (`sighting`)"
    ),
) -> DetectResponse:
    """Detect objects in one image, sent as the raw body or as a multipart file."""
    settings: ServerSettings = request.app.state.settings
    service: InferenceService = request.app.state.service
    data = await read_image_upload(request, settings.max_upload_bytes)
    decode = partial(
        decode_still, data, max_pixels=settings.max_image_pixels, at_least=service.input_size
    )
    try:
        still = await anyio.to_thread.run_sync(decode, limiter=request.app.state.decode_limiter)
    except ImageTooLarge as exc:
        raise HTTPException(413, str(exc)) from None
    except ImageError as exc:
        raise HTTPException(422, str(exc)) from None
    try:
        delivered = await service.detect(still.image)
    except Overloaded as exc:
        raise HTTPException(503, str(exc), headers={"Retry-After": "1"}) from None
    inferred = delivered.inference.result
    extra: dict[str, object] = {}  # keys unset unless asked for
    if preview:
        extra["preview"] = await anyio.to_thread.run_sync(preview_url, still.image)
    if sighting:
        extra["sighting"] = await keep_sighting(request, still.image, inferred)
    return DetectResponse(**dict(reported(still, inferred).to_json()), **extra)


async def keep_sighting(
    request: Request, image: RGBImage, result: DetectionResult
) -> SightingJSON | None:
    recorder: Recorder | None = request.app.state.recorder
    if recorder is None or result.verdict != "hotdog":
        return None
    kept = await recorder.keep(Seen("still", None, lambda: image, result))
    return None if kept is None else kept.to_json()
