"""The hot-dog classifier: an ImageNet-1k model, read for one class and one block of classes.

ImageNet has a class for the question itself (934, "hotdog, hot dog, red hot") and a block
of food classes (923-969, plate to consomme). The classifier gives, per image, the
probability of 934 and the probability mass of the food block; the verdict stage makes
one score of them (see verdict.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from seefood.detection.model import Precision, shipped
from seefood.detection.runtime import ModelError, Runtime, open_session
from seefood.types import RGBImage, Size

IMAGENET_HOTDOG = 934
IMAGENET_FOOD = slice(923, 970)  # the food block, hot dog included
FP32_CLASSIFIER_NAME = "efficientnet-lite2.onnx"
INT8_CLASSIFIER_NAME = "efficientnet-lite2-int8.onnx"  # by scripts/quantize_models.py
DEFAULT_CLASSIFIER_PRECISION = Precision.INT8  # see model.py


def default_classifier_path(precision: Precision = DEFAULT_CLASSIFIER_PRECISION) -> Path:
    """EfficientNet-Lite2, shipped inside the package."""
    return shipped(INT8_CLASSIFIER_NAME if precision is Precision.INT8 else FP32_CLASSIFIER_NAME)


class Classifier:
    """An ImageNet-1k ONNX classifier with EfficientNet-Lite's input: a square RGB image,
    (pixel - 127) / 128, NCHW. Its output may be probabilities or logits (softmax is then
    applied here). Thread-safe, as the detector."""

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        precision: Precision = DEFAULT_CLASSIFIER_PRECISION,
        runtime: Runtime = Runtime(),
    ) -> None:
        self.path = Path(path) if path is not None else default_classifier_path(precision)
        self.session = open_session(self.path, runtime)
        inputs, outputs = self.session.get_inputs(), self.session.get_outputs()
        shape = list(inputs[0].shape)
        if (
            len(shape) != 4
            or shape[1] != 3
            or not isinstance(shape[2], int)
            or shape[2] != shape[3]
        ):
            raise ModelError(
                f"{self.path.name}: expected a classifier with a square RGB input "
                f"[batch, 3, S, S], got {shape}"
            )
        self.side = int(shape[2])
        self.batchable = not isinstance(shape[0], int)
        self._input = inputs[0].name
        self.metadata = dict(self.session.get_modelmeta().custom_metadata_map)
        self.name = self.metadata.get("seefood.model", self.path.stem)
        out = self.session.run(
            None, {self._input: np.zeros((1, 3, self.side, self.side), np.float32)}
        )
        if len(outputs) != 1 or out[0].shape != (1, 1000):
            raise ModelError(
                f"{self.path.name}: expected one ImageNet-1k output [batch, 1000], got "
                f"{[o.shape for o in out]}"
            )
        row = out[0][0]
        self._logits = not (np.all(row >= 0) and abs(float(row.sum()) - 1.0) < 1e-3)
        levels = np.arange(256, dtype=np.float32)
        self._lut = ((levels - 127.0) / 128.0).reshape(1, 256)

    @property
    def input_size(self) -> Size:
        return (self.side, self.side)

    def prepare_into(self, image: RGBImage, out: NDArray[np.float32]) -> None:
        """Stretch `image` to the model's square and normalise it into `out` ([3, S, S])."""
        height, width = image.shape[:2]
        if (width, height) != (self.side, self.side):
            # Area averaging when shrinking keeps small details (a hot dog far away); linear
            # when enlarging a small crop.
            shrink = width >= self.side and height >= self.side
            method = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
            image = np.asarray(cv2.resize(image, (self.side, self.side), interpolation=method))
        for c, plane in enumerate(cv2.split(image)):
            out[c] = cv2.LUT(plane, self._lut)

    def new_batch(self, size: int) -> NDArray[np.float32]:
        return np.empty((size, 3, self.side, self.side), dtype=np.float32)

    def run(self, batch: NDArray[np.float32]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(probability of "hotdog", probability mass of the food block), per image."""
        if self.batchable or batch.shape[0] <= 1:
            probs = self.session.run(None, {self._input: batch})[0]
        else:
            probs = np.concatenate(
                [
                    self.session.run(None, {self._input: batch[i : i + 1]})[0]
                    for i in range(len(batch))
                ]
            )
        probs = probs.astype(np.float64)
        if self._logits:
            probs = np.exp(probs - probs.max(axis=1, keepdims=True))
            probs /= probs.sum(axis=1, keepdims=True)
        return probs[:, IMAGENET_HOTDOG], probs[:, IMAGENET_FOOD].sum(axis=1)

    def classify(
        self, images: Sequence[RGBImage]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """`run` on images of any size."""
        batch = self.new_batch(len(images))
        for i, image in enumerate(images):
            self.prepare_into(image, batch[i])
        if not len(images):
            return np.zeros(0), np.zeros(0)
        return self.run(batch)
