"""The detector: letterbox, run the ONNX model, decode, NMS, map boxes back to the image."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from seefood.detection import decode
from seefood.detection.coco import COCO_CLASSES, FOOD_CLASS_IDS, HOTDOG_CLASS_ID
from seefood.detection.letterbox import Letterbox, fit, resize
from seefood.detection.memory import CropMemory
from seefood.detection.model import (
    DEFAULT_DETECTOR_PRECISION,
    Layout,
    Model,
    Precision,
    default_model_path,
    load_model,
)
from seefood.detection.nms import batched_nms
from seefood.detection.result import Detection, DetectionResult, Timings
from seefood.detection.runtime import Runtime
from seefood.detection.verdict import DETECTOR_THRESHOLD
from seefood.types import RGBImage, Size

DEFAULT_THRESHOLD = DETECTOR_THRESHOLD  # hot-dog boxes are reported from here
DEFAULT_MIN_SCORE = 0.3  # other classes are reported from here
DEFAULT_IOU_THRESHOLD = 0.5
HOTDOG_FLOOR = 0.05  # hot-dog candidates are kept down to here, so `hotdog_score` is informative
FOOD_FLOOR = 0.05  # food candidates the verdict's classifier may look at
MAX_FOOD = 10  # of those, the best; the verdict crops fewer
MAX_DETECTIONS = 100  # boxes reported per image, best first
MAX_CANDIDATES = 2000  # NMS is quadratic; a sane model never comes near this after the floor


class Detector:
    """Load once, then `detect(image)` or `detect_batch(images)` on RGB uint8 arrays.

    Thread-safe: onnxruntime sessions may run concurrently, and everything else is per call.
    """

    def __init__(
        self,
        model: Model | str | Path | None = None,
        *,
        precision: Precision = DEFAULT_DETECTOR_PRECISION,
        runtime: Runtime = Runtime(),
        threshold: float = DEFAULT_THRESHOLD,
        min_score: float = DEFAULT_MIN_SCORE,
        iou_threshold: float = DEFAULT_IOU_THRESHOLD,
        food: bool = False,
    ) -> None:
        """`model`: the shipped NanoDet-g of `precision` when None. `food`: also decode food
        down to FOOD_FLOOR, into `result.food`: the regions the combined verdict looks at (a
        cost the detector alone does not pay)."""
        if not isinstance(model, Model):
            model = load_model(model or default_model_path(precision), runtime)
        self.model = model
        for name, value in (("threshold", threshold), ("min_score", min_score)):
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {value}")
        self.threshold = threshold
        self.min_score = min_score
        self.iou_threshold = iou_threshold
        num_classes = self.model.num_classes
        self.class_names = (
            COCO_CLASSES
            if num_classes == len(COCO_CLASSES)
            else tuple(f"class_{i}" for i in range(num_classes))
        )
        # Per-class score floors: what is reported (hot dogs from the verdict threshold, the
        # rest from min_score), and what is decoded at all (hot dogs lower, for hotdog_score).
        self._shown = np.full(num_classes, min_score, dtype=np.float32)
        self._floors = self._shown.copy()
        self._hotdog_class = HOTDOG_CLASS_ID if num_classes == len(COCO_CLASSES) else -1
        self._food = np.zeros(num_classes, dtype=bool)
        if num_classes == len(COCO_CLASSES):
            self._shown[HOTDOG_CLASS_ID] = threshold
            self._food[list(FOOD_CLASS_IDS)] = True
            self._floors[HOTDOG_CLASS_ID] = min(HOTDOG_FLOOR, threshold)
        self.finds_food = food
        if food:
            self._floors[self._food] = np.minimum(self._floors[self._food], FOOD_FLOOR)
        pre = self.model.preprocess
        order = [2, 1, 0] if pre.bgr else [0, 1, 2]
        self._order = order
        mean = np.asarray(pre.mean, dtype=np.float32)
        inv_std = 1.0 / np.asarray(pre.std, dtype=np.float32)
        # Inputs are uint8, so normalisation is a 256-entry lookup per channel.
        levels = np.arange(256, dtype=np.float32)
        self._lut = np.stack([(levels - mean[c]) * inv_std[c] for c in range(3)])[:, None, :]
        self._pad = self._lut[:, 0, pre.pad_value]
        self._nanodet_pairs = self.model.nanodet_pairs

    @property
    def input_size(self) -> Size:
        """The model's (width, height): stills need not be decoded any larger."""
        return self.model.input_size

    def describe(self) -> dict[str, str]:
        return {"model": self.model.path.name, "layout": self.model.layout.value}

    # -- the three stages, public so that a scheduler can batch across callers ------------

    def prepare_into(self, image: RGBImage, out: NDArray[np.float32]) -> Letterbox:
        """Letterbox and normalise one image into `out`, a `[3, H, W]` slice of a batch."""
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(
                f"expected an RGB uint8 image [H, W, 3], got {image.shape} {image.dtype}"
            )
        height, width = image.shape[:2]
        target = self.model.input_size
        pre = self.model.preprocess
        box = fit((width, height), target, center=pre.center, truncate=pre.truncate)
        inner = resize(image, box)
        y0, x0 = box.pad_y, box.pad_x
        y1, x1 = y0 + box.inner_height, x0 + box.inner_width
        planes = cv2.split(inner)
        for c, src in enumerate(self._order):
            plane = out[c]
            plane.fill(self._pad[c])
            plane[y0:y1, x0:x1] = cv2.LUT(planes[src], self._lut[c])
        return box

    def new_batch(self, size: int) -> NDArray[np.float32]:
        width, height = self.model.input_size
        return np.empty((size, 3, height, width), dtype=np.float32)

    def infer(self, batch: NDArray[np.float32]) -> list[list[NDArray[np.float32]]]:
        """Run the model; returns each image's outputs (batch dimension removed)."""
        if self.model.batchable or batch.shape[0] == 1:
            outputs = self.model.run(batch)
            return [[o[i] for o in outputs] for i in range(batch.shape[0])]
        return [[o[0] for o in self.model.run(batch[i : i + 1])] for i in range(batch.shape[0])]

    def postprocess(self, outputs: list[NDArray[np.float32]], box: Letterbox) -> DetectionResult:
        """Decode one image's outputs into detections in source pixels."""
        cands = self._decode(outputs)
        hotdog = cands.scores[cands.class_ids == HOTDOG_CLASS_ID]
        hotdog_score = float(hotdog.max()) if hotdog.size else 0.0
        shown = cands.scores >= self._shown[cands.class_ids]
        detections = self._kept(cands, shown, box, MAX_DETECTIONS)
        found: list[Detection] = []
        if self.finds_food:
            food = self._food[cands.class_ids] & (cands.scores >= FOOD_FLOOR)
            found = self._kept(cands, food, box, MAX_FOOD, mark=False)
        return DetectionResult(
            box.source_width,
            box.source_height,
            detections,
            hotdog_score,
            self.threshold,
            scores={"detector": hotdog_score},
            food=found,
        )

    def _kept(
        self,
        cands: decode.Candidates,
        chosen: NDArray[np.bool_],
        box: Letterbox,
        limit: int,
        *,
        mark: bool = True,
    ) -> list[Detection]:
        """The chosen candidates after per-class NMS, best first, in source pixels."""
        boxes, scores, class_ids = (
            cands.boxes[chosen],
            cands.scores[chosen],
            cands.class_ids[chosen],
        )
        if scores.size > MAX_CANDIDATES:
            top = np.argpartition(-scores, MAX_CANDIDATES)[:MAX_CANDIDATES]
            boxes, scores, class_ids = boxes[top], scores[top], class_ids[top]
        keep = batched_nms(boxes, scores, class_ids, self.iou_threshold)[:limit]
        source = box.to_source(boxes[keep])
        return [
            Detection(
                class_id=int(c),
                class_name=self.class_names[int(c)],
                score=float(s),
                box=(float(x1), float(y1), float(x2 - x1), float(y2 - y1)),
                hotdog=mark and int(c) == self._hotdog_class,
            )
            for (x1, y1, x2, y2), s, c in zip(source, scores[keep], class_ids[keep], strict=True)
        ]

    def _decode(self, outputs: list[NDArray[np.float32]]) -> decode.Candidates:
        layout, size, floors = self.model.layout, self.model.input_size, self._floors
        if layout is Layout.NANODET:
            levels = [(outputs[s], outputs[b]) for s, b in self._nanodet_pairs]
            return decode.nanodet(levels, size, floors)
        if layout is Layout.YOLOX:
            return decode.yolox(outputs[0], size, floors)
        if layout is Layout.YOLOV5:
            return decode.yolov5(outputs[0], floors)
        return decode.yolov8(outputs[0], floors)

    # -- convenience --------------------------------------------------------------------

    def detect(self, image: RGBImage) -> DetectionResult:
        return self.detect_batch([image])[0]

    def detect_batch(
        self, images: Sequence[RGBImage], memories: Sequence[CropMemory | None] | None = None
    ) -> list[DetectionResult]:
        """Detect on several images in one model run (or one run each, if the model is fixed).

        `memories` (live streams' classifier memories) mean nothing to the detector alone.
        """
        if not images:
            return []
        t0 = time.perf_counter()
        batch = self.new_batch(len(images))
        boxes = [self.prepare_into(img, batch[i]) for i, img in enumerate(images)]
        t1 = time.perf_counter()
        outputs = self.infer(batch)
        t2 = time.perf_counter()
        n = len(images)
        results = []
        for out, box in zip(outputs, boxes, strict=True):
            t = time.perf_counter()
            result = self.postprocess(out, box)
            timings = Timings(
                preprocess=(t1 - t0) * 1000 / n,
                inference=(t2 - t1) * 1000 / n,
                postprocess=(time.perf_counter() - t) * 1000,
            )
            results.append(replace(result, timings=timings))
        return results
