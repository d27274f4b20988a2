"""The API docs: Swagger UI from the package, no CDN, and what the OpenAPI schema says."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from seefood.types import RGBImage
from tests.conftest import LiveServer


def test_docs_are_served_from_the_package(live_server: LiveServer) -> None:
    page = httpx.get(f"{live_server.url}/docs").text
    assert "/docs/assets/swagger-ui-bundle.js" in page and "<script>" not in page
    assert "cdn" not in page.lower()
    bundle = httpx.get(f"{live_server.url}/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 500_000
    assert httpx.get(f"{live_server.url}/redoc").status_code == 404


def test_openapi_describes_detect(live_server: LiveServer) -> None:
    spec = httpx.get(f"{live_server.url}/openapi.json").json()
    body = spec["paths"]["/v1/detect"]["post"]["requestBody"]["content"]
    assert {"image/*", "multipart/form-data"} <= set(body)
    assert httpx.get(f"{live_server.url}/docs").status_code == 200


def test_the_schema_and_the_json_come_from_one_declaration(
    live_server: LiveServer, hotdog_image: RGBImage
) -> None:
    """/v1/detect's documented response is the JSON it sends, key for key."""
    spec = httpx.get(f"{live_server.url}/openapi.json").json()["components"]["schemas"]
    data = Image.fromarray(hotdog_image)
    body = io.BytesIO()
    data.save(body, format="JPEG")
    answer = httpx.post(
        f"{live_server.url}/v1/detect?preview=true&sighting=true",
        content=body.getvalue(),
        headers={"content-type": "image/jpeg"},
    ).json()
    assert set(spec["DetectResponse"]["properties"]) == set(answer)
    assert set(spec["SightingJSON"]["properties"]) == set(answer["sighting"])
    assert set(spec["TimingsJSON"]["properties"]) == set(answer["timings_ms"])
    [box, *_] = answer["detections"]
    assert set(spec["DetectionJSON"]["properties"]) == set(box)
