"""Reading an image upload from an HTTP request: raw body or multipart, within a size limit."""

from __future__ import annotations

from fastapi import HTTPException, Request
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect
from starlette.types import Message

RAW_TYPES = ("image/", "application/octet-stream")


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refusing (413) as soon as it exceeds `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"request body of {declared} bytes exceeds the {limit}-byte limit")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise HTTPException(413, f"request body exceeds the {limit}-byte limit")
            chunks.append(chunk)
    except ClientDisconnect:  # gone mid-body (or timed out): nobody to answer
        raise HTTPException(400, "the request body ended early: the client went away") from None
    return b"".join(chunks)


async def read_image_upload(request: Request, limit: int) -> bytes:
    """The image bytes of a `POST /v1/detect`, whichever way they were sent."""
    content_type = request.headers.get("content-type", "").lower()
    body = await read_body(request, limit)
    if not body:
        raise HTTPException(400, "empty request body: no image was sent")
    if not (content_type.startswith("multipart/form-data") or content_type.startswith(RAW_TYPES)):
        raise HTTPException(
            415,
            f"unsupported content type {content_type or '(none)'!r}: send the image as the raw "
            "body (image/jpeg, image/png, ... or application/octet-stream) or as a "
            "multipart/form-data file field",
        )
    if not content_type.startswith("multipart/form-data"):
        return body

    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    # Parse the buffered body, so that the size limit above also bounds the multipart parser.
    buffered = Request(request.scope, replay)
    try:
        form = await buffered.form(max_files=1, max_fields=16)
    except Exception as exc:  # python-multipart's errors vary by version
        raise HTTPException(400, f"malformed multipart body: {exc}") from None
    try:
        files = [v for v in form.values() if isinstance(v, UploadFile)]
        if not files:
            raise HTTPException(400, "multipart body has no file field: send the image as a file")
        data = await files[0].read()
    finally:
        await form.close()
    if not data:
        raise HTTPException(400, "the uploaded file is empty")
    return data
