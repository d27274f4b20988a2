import hashlib
from pathlib import Path

import numpy as np
import pytest

from seefood.detection.model import (
    Layout,
    ModelError,
    default_model_path,
    detect_layout,
    file_sha256,
    load_model,
)
from tests.conftest import ROOT, YOLOX_NANO
from tests.onnx_models import yolov5_model, yolov8_model

NANODET_SHAPES = [
    (1, 2704, 80),
    (1, 2704, 44),
    (1, 676, 80),
    (1, 676, 44),
    (1, 169, 80),
    (1, 169, 44),
]


@pytest.mark.parametrize(
    ("shapes", "size", "layout"),
    [
        (NANODET_SHAPES, (416, 416), Layout.NANODET),
        ([(1, 3549, 85)], (416, 416), Layout.YOLOX),
        ([(1, 8400, 85)], (640, 640), Layout.YOLOX),
        ([(1, 10647, 85)], (416, 416), Layout.YOLOV5),
        ([(1, 25200, 85)], (640, 640), Layout.YOLOV5),
        ([(1, 84, 8400)], (640, 640), Layout.YOLOV8),
    ],
)
def test_detect_layout(
    shapes: list[tuple[int, ...]], size: tuple[int, int], layout: Layout
) -> None:
    assert detect_layout(shapes, size) is layout


def test_unknown_layout_is_a_clear_error() -> None:
    for shapes in ([(1, 1000)], [(1, 123, 85)], [(1, 8400, 84)], [(1, 300, 6)]):
        with pytest.raises(ModelError, match="unrecognised output layout"):
            detect_layout(shapes, (640, 640))


def test_nanodet_with_few_classes() -> None:
    shapes = [(1, 2704, 1), (1, 2704, 32), (1, 676, 1), (1, 676, 32), (1, 169, 1), (1, 169, 32)]
    assert detect_layout(shapes, (416, 416)) is Layout.NANODET


def test_shipped_model_matches_its_notice() -> None:
    """The NOTICE records the sha256 of the committed model; they must not drift apart."""
    path = default_model_path()
    notice = (ROOT / "src" / "seefood" / "models" / "NOTICE").read_text()
    assert file_sha256(path) in notice
    assert file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_default_model_is_batchable_nanodet() -> None:
    model = load_model(default_model_path())
    assert model.layout is Layout.NANODET
    assert model.input_size == (416, 416)
    assert model.batchable and model.num_classes == 80
    outputs = model.run(np.zeros((3, 3, 416, 416), np.float32))
    assert {o.shape[0] for o in outputs} == {3}


def test_yolox_nano_is_recognised_by_its_outputs() -> None:
    model = load_model(YOLOX_NANO)
    assert model.layout is Layout.YOLOX
    assert model.input_size == (416, 416)
    assert model.preprocess.bgr and not model.preprocess.center
    assert model.num_classes == 80


def test_synthetic_yolo_exports(tmp_path: Path) -> None:
    v5 = load_model(yolov5_model(tmp_path / "v5.onnx", []))
    v8 = load_model(yolov8_model(tmp_path / "v8.onnx", []))
    assert (v5.layout, v8.layout) == (Layout.YOLOV5, Layout.YOLOV8)
    assert not v5.batchable and v5.input_size == (320, 320)
    assert not v5.preprocess.bgr and v5.preprocess.std == (255.0, 255.0, 255.0)


def test_missing_or_broken_model_files(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "missing.onnx")
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="cannot load"):
        load_model(junk)
