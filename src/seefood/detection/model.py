"""Loading an ONNX detector and recognising its family by the layout of its outputs."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path

import numpy as np
import onnxruntime as ort

from seefood.detection.decode import cells, nanodet_pairs
from seefood.detection.runtime import ModelError, Runtime, open_session

__all__ = ["Model", "ModelError", "Precision", "load_model"]

DEFAULT_INPUT_SIZE = 640  # for exports whose input height/width are symbolic


class Precision(StrEnum):
    """Which of the shipped models: quantised (int8) or as converted (fp32)."""

    INT8 = "int8"
    FP32 = "fp32"


# Each shipped model comes in both; the default is int8 where that keeps the verdict's
# answers (README "Quantised models", bench/bench_models.py,
# tests/detection/test_quantized.py). Both int8 keep the verdict (AP 0.971 against 0.972,
# cross-validated recall 1.2 points lower, the same false alarms) and, with
# runtime.DISABLED_OPTIMIZERS, run the frame over 2x faster.
DEFAULT_DETECTOR_PRECISION = Precision.INT8


class Layout(StrEnum):
    NANODET = "nanodet"
    YOLOX = "yolox"
    YOLOV5 = "yolov5"
    YOLOV8 = "yolov8"


@dataclass(frozen=True, slots=True)
class Preprocess:
    """How a family expects its input: channel order, normalisation, and letterbox style."""

    bgr: bool
    mean: tuple[float, float, float]  # per channel, in the model's channel order
    std: tuple[float, float, float]
    pad_value: int  # fill of the letterbox border, in 0..255 pixel units
    center: bool  # letterbox centred (True) or at the top-left (False)
    truncate: bool = False  # resized size by int() (YOLOX) rather than round()


PREPROCESS: dict[Layout, Preprocess] = {
    # NanoDet's own pipeline; the border is the mean colour, so it normalises to zero.
    Layout.NANODET: Preprocess(True, (103.53, 116.28, 123.675), (57.375, 57.12, 58.395), 114, True),
    # YOLOX: BGR 0..255, image at the top-left, padded with 114.
    Layout.YOLOX: Preprocess(True, (0.0, 0.0, 0.0), (1.0, 1.0, 1.0), 114, False, truncate=True),
    # Ultralytics: RGB 0..1, centred, padded with 114.
    Layout.YOLOV5: Preprocess(False, (0.0, 0.0, 0.0), (255.0, 255.0, 255.0), 114, True),
    Layout.YOLOV8: Preprocess(False, (0.0, 0.0, 0.0), (255.0, 255.0, 255.0), 114, True),
}

FP32_MODEL_NAME = "nanodet-g.onnx"
INT8_MODEL_NAME = "nanodet-g-int8.onnx"  # made from it by scripts/quantize_models.py


def shipped(name: str) -> Path:
    return Path(str(resources.files("seefood") / "models" / name))


def default_model_path(precision: Precision = DEFAULT_DETECTOR_PRECISION) -> Path:
    """The NanoDet-g model shipped inside the package."""
    return shipped(INT8_MODEL_NAME if precision is Precision.INT8 else FP32_MODEL_NAME)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Model:
    """An onnxruntime session together with what it takes to feed it and read it."""

    path: Path
    session: ort.InferenceSession
    layout: Layout
    input_name: str
    input_size: tuple[int, int]  # (width, height)
    batchable: bool  # whether the batch dimension is symbolic
    output_shapes: tuple[tuple[int, ...], ...]  # concrete, for a batch of one
    metadata: dict[str, str]

    @property
    def preprocess(self) -> Preprocess:
        return PREPROCESS[self.layout]

    @property
    def num_classes(self) -> int:
        shapes = self.output_shapes
        if self.layout is Layout.NANODET:
            return shapes[self.nanodet_pairs[0][0]][-1]
        if self.layout is Layout.YOLOV8:
            return shapes[0][1] - 4
        return shapes[0][-1] - 5

    @property
    def nanodet_pairs(self) -> list[tuple[int, int]]:
        """NanoDet's (score, box) output indices per stride; empty for other layouts."""
        if self.layout is not Layout.NANODET:
            return []
        return nanodet_pairs([s[1:] for s in self.output_shapes]) or []

    def run(self, batch: np.ndarray) -> list[np.ndarray]:
        outputs: list[np.ndarray] = self.session.run(None, {self.input_name: batch})
        return outputs


def detect_layout(output_shapes: Sequence[tuple[int, ...]], input_size: tuple[int, int]) -> Layout:
    """Recognise the family from concrete output shapes (batch first)."""
    if all(len(s) == 3 for s in output_shapes) and nanodet_pairs([s[1:] for s in output_shapes]):
        return Layout.NANODET
    if len(output_shapes) == 1 and len(output_shapes[0]) == 3:
        # COCO-80 only: 5 + 80 columns (box, objectness, classes) or 4 + 80 rows (no obj).
        _, a, b = output_shapes[0]
        anchors = cells(*input_size)
        if b == 85 and a == anchors:
            return Layout.YOLOX
        if b == 85 and a == 3 * anchors:
            return Layout.YOLOV5
        if a == 84 and b > a:
            return Layout.YOLOV8
    raise ModelError(
        f"unrecognised output layout {output_shapes} for input {input_size}: expected a COCO-80 "
        "NanoDet (score/box pairs per stride), YOLOX or YOLOv5 ([1,N,85]), or YOLOv8/v11 "
        "([1,84,N]); end-to-end exports with NMS inside (YOLOv10, [1,300,6]) are not supported"
    )


def load_model(
    path: str | Path, runtime: Runtime = Runtime(), *, layout: Layout | None = None
) -> Model:
    """Open an ONNX detector file."""
    model_path = Path(path)
    session = open_session(model_path, runtime)
    inp = session.get_inputs()[0]
    shape = list(inp.shape)
    if len(shape) != 4:
        raise ModelError(f"expected an NCHW image input, got {inp.name} {shape}")
    height = shape[2] if isinstance(shape[2], int) else DEFAULT_INPUT_SIZE
    width = shape[3] if isinstance(shape[3], int) else DEFAULT_INPUT_SIZE
    batchable = not isinstance(shape[0], int)
    metadata = dict(session.get_modelmeta().custom_metadata_map)
    # One dummy run tells the concrete output shapes (exports often leave them symbolic)
    # and warms the session up.
    dummy = np.zeros((1, 3, height, width), dtype=np.float32)
    try:
        shapes = tuple(tuple(o.shape) for o in session.run(None, {inp.name: dummy}))
    except Exception as exc:
        raise ModelError(f"{model_path} does not run on a {width}x{height} input: {exc}") from exc
    if layout is None:
        named = metadata.get("seefood.layout")
        known = {m.value for m in Layout}
        layout = Layout(named) if named in known else detect_layout(list(shapes), (width, height))
    return Model(
        model_path, session, layout, inp.name, (width, height), batchable, shapes, metadata
    )
