"""`/v1/detect`: a raw body, a multipart file, PNG and HEIC, big photos, overload, previews."""

import httpx
import numpy as np
import pytest

from seefood import decode_image
from seefood.detection.hotdog import HotdogEngine
from seefood.types import RGBImage
from tests.conftest import LiveServer, iou, jpeg_bytes


def test_raw_jpeg_body_gives_the_engine_result(
    live_server: LiveServer, engine: HotdogEngine, hotdog_image: RGBImage
) -> None:
    data = jpeg_bytes(hotdog_image, quality=95)
    r = httpx.post(
        f"{live_server.url}/v1/detect", content=data, headers={"content-type": "image/jpeg"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    [result] = engine.detect_batch([decode_image(data)])
    expected = result.to_dict()
    assert body["verdict"] == "hotdog" == expected["verdict"]
    assert body["hotdog_score"] == pytest.approx(expected["hotdog_score"], abs=1e-3)
    assert [d["class_name"] for d in body["detections"]] == [
        d["class_name"] for d in expected["detections"]
    ]
    assert (body["width"], body["height"]) == (224, 168)
    assert body["scores"] == pytest.approx(expected["scores"], abs=1e-3)
    assert "path" not in body
    timings = body["timings_ms"]
    assert set(timings) == {"decode", "queued", "preprocess", "inference", "postprocess", "total"}
    parts = sum(v for k, v in timings.items() if k != "total")
    assert timings["total"] == pytest.approx(parts, abs=0.05) and timings["decode"] > 0


def test_multipart_upload(live_server: LiveServer, hotdog_image: RGBImage) -> None:
    files = {"image": ("dog.jpg", jpeg_bytes(hotdog_image), "image/jpeg")}
    r = httpx.post(f"{live_server.url}/v1/detect", files=files)
    assert r.status_code == 200, r.text
    assert r.json()["verdict"] == "hotdog"


def test_octet_stream_png(live_server: LiveServer) -> None:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 32), "white").save(buf, "PNG")
    r = httpx.post(
        f"{live_server.url}/v1/detect",
        content=buf.getvalue(),
        headers={"content-type": "application/octet-stream"},
    )
    assert r.status_code == 200
    assert r.json()["verdict"] == "not_hotdog" and r.json()["width"] == 64


def test_overload_answers_503_and_the_server_stays_up(
    engine: HotdogEngine, hotdog_image: RGBImage
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from seefood.config import Settings
    from seefood.server.app import create_app

    settings = Settings(codel_target_ms=1, codel_interval_ms=2)
    server = LiveServer(create_app(settings, [engine]))
    try:
        data = jpeg_bytes(hotdog_image)

        def post(_: int) -> httpx.Response:
            return httpx.post(
                f"{server.url}/v1/detect",
                content=data,
                headers={"content-type": "image/jpeg"},
                timeout=30,
            )

        with ThreadPoolExecutor(16) as pool:
            responses = list(pool.map(post, range(32)))
        codes = {r.status_code for r in responses}
        assert codes <= {200, 503} and 503 in codes, codes
        busy = next(r for r in responses if r.status_code == 503)
        assert busy.headers["retry-after"] == "1" and "overloaded" in busy.json()["detail"]
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    finally:
        server.stop()


def test_a_big_phone_photo_is_answered_in_its_own_pixels(
    live_server: LiveServer, engine: HotdogEngine
) -> None:
    """Decoded at reduced scale for speed, but boxes come back in full-size pixels."""
    import io

    from PIL import Image

    from tests.conftest import DEV_SET

    photo = Image.open(DEV_SET / "hotdog" / "7974806.jpg").convert("RGB").resize((4000, 3000))
    buf = io.BytesIO()
    photo.save(buf, "JPEG", quality=92)
    r = httpx.post(
        f"{live_server.url}/v1/detect",
        content=buf.getvalue(),
        headers={"content-type": "image/jpeg"},
        timeout=30,
    )
    body = r.json()
    assert (body["width"], body["height"]) == (4000, 3000)
    [full] = engine.detect_batch([np.asarray(photo)])
    got = max((d for d in body["detections"] if d["hotdog"]), key=lambda d: d["score"])
    want = max((d for d in full.detections if d.class_name == "hot dog"), key=lambda d: d.score)
    assert iou(got["box"], want.box) > 0.9


@pytest.mark.parametrize(
    ("label", "name"), [("hotdog", "7974806.jpg"), ("not_hotdog", "1001773.jpg")]
)
def test_an_iphone_heic_photo_gets_the_verdict_of_its_jpeg_twin(
    live_server: LiveServer, label: str, name: str
) -> None:
    from seefood import load_image
    from tests.conftest import DEV_SET, heic_bytes

    photo = load_image(DEV_SET / label / name)
    answers = {}
    for kind, data in [("jpeg", jpeg_bytes(photo, 95)), ("heic", heic_bytes(photo))]:
        r = httpx.post(
            f"{live_server.url}/v1/detect",
            content=data,
            headers={"content-type": f"image/{kind}"},
        )
        assert r.status_code == 200, r.text
        answers[kind] = r.json()
    assert answers["heic"]["verdict"] == answers["jpeg"]["verdict"] == label
    assert answers["heic"]["hotdog_score"] == pytest.approx(
        answers["jpeg"]["hotdog_score"], abs=0.1
    )
    assert "preview" not in answers["heic"], "only when asked"


def test_a_preview_comes_when_asked_for_pages_that_cannot_show_the_file(
    live_server: LiveServer, hotdog_image: RGBImage
) -> None:
    import base64

    from tests.conftest import heic_bytes

    r = httpx.post(
        f"{live_server.url}/v1/detect?preview=true",
        content=heic_bytes(hotdog_image),
        headers={"content-type": "image/heic"},
    )
    assert r.status_code == 200, r.text
    prefix, encoded = r.json()["preview"].split(",", 1)
    assert prefix == "data:image/jpeg;base64"
    assert decode_image(base64.b64decode(encoded)).shape == hotdog_image.shape
