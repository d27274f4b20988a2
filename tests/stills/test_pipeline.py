"""The still-image pipeline shared by `seefood detect` and `/v1/detect`."""

import io
from pathlib import Path

import pytest
from PIL import Image

from seefood import Detector
from seefood.detection.result import Detection, DetectionResult, Timings
from seefood.stills.images import ImageError
from seefood.stills.pipeline import Still, decode_still, detect_files, load_still, reported
from tests.conftest import DEV_SET, jpeg_bytes, noise_image
from tests.engines import FixedTimeEngine


def _big_jpeg(width: int = 4000, height: int = 3000) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), "orange").save(buf, "JPEG", quality=80)
    return buf.getvalue()


def test_a_big_jpeg_decodes_small_but_keeps_its_full_size() -> None:
    still = decode_still(_big_jpeg(), at_least=(416, 416))
    height, width = still.image.shape[:2]
    assert min(width, height) >= 416 and width < 4000, "reduced, not below the model's input"
    assert still.size == (4000, 3000) and still.decode_ms > 0
    full = decode_still(_big_jpeg())
    assert full.image.shape[:2] == (3000, 4000)


def test_finish_rescales_boxes_and_counts_the_decode() -> None:
    still = Still(noise_image(100, 50), (400, 200), decode_ms=3.0)
    det = Detection(52, "hot dog", 0.9, (10.0, 10.0, 20.0, 20.0), hotdog=True)
    result = DetectionResult(100, 50, [det], 0.9, 0.25, Timings(decode=0.5, inference=10.0))
    done = reported(still, result)
    assert (done.width, done.height) == (400, 200)
    assert done.detections[0].box == (40.0, 40.0, 80.0, 80.0)
    assert done.timings.decode == 3.5 and done.timings.total == 13.5


def test_unreadable_files_are_image_errors(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="cannot read"):
        load_still(tmp_path / "missing.jpg")
    (tmp_path / "notes.txt").write_text("not an image")
    with pytest.raises(ImageError, match="not an image"):
        load_still(tmp_path / "notes.txt")


def test_detect_files_keeps_order_batches_and_reports_bad_files(tmp_path: Path) -> None:
    paths = []
    for i in range(5):
        path = tmp_path / f"{i}.jpg"
        path.write_bytes(jpeg_bytes(noise_image(40 + i, 30)))
        paths.append(path)
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"garbage")
    paths.insert(2, bad)
    engine = FixedTimeEngine(0.0)
    out = list(detect_files(engine, paths, batch_size=2))
    assert [p for p, *_ in out] == paths
    assert out[2][1] is None and "not an image" in (out[2][2] or "")
    good = [(r, img) for _, r, _, img in out if r is not None]
    assert [r.width for r, _ in good] == [40, 41, 42, 43, 44]
    assert all(r.timings.decode > 0 and img is not None for r, img in good)
    assert engine.runs == 3 and engine.images == 5, "batches of 2 files, the bad one left out"


def test_detect_files_with_the_real_detector(detector: Detector) -> None:
    path = DEV_SET / "hotdog" / "7974806.jpg"
    [(_, result, error, _)] = list(detect_files(detector, [path]))
    assert error is None and result is not None and result.verdict == "hotdog"
