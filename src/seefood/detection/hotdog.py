"""The engine daemons and the CLI run: the detector for boxes, the classifier and the verdict
stage for the answer, on a batch of images in two model runs."""

from __future__ import annotations

import time
from collections.abc import Sequence

from seefood.detection.classifier import Classifier
from seefood.detection.detector import Detector
from seefood.detection.result import DetectionResult
from seefood.detection.verdict import (
    DEFAULT_THRESHOLDS,
    Evidence,
    Source,
    crop_regions,
    judge,
)
from seefood.types import RGBImage, Size


class HotdogDetector:
    """`detect_batch(images)`: boxes from the detector, the verdict from `source`.

    Thread-safe, as its two models are.
    """

    def __init__(
        self,
        detector: Detector,
        classifier: Classifier | None = None,
        *,
        source: Source = Source.COMBINED,
        threshold: float | None = None,
    ) -> None:
        if source is not Source.DETECTOR and classifier is None:
            raise ValueError(f"the {source} verdict needs a classifier")
        self.detector = detector
        self.classifier = classifier
        self.source = source
        self.threshold = threshold if threshold is not None else DEFAULT_THRESHOLDS[source]
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        if source is Source.DETECTOR:
            detector.threshold = self.threshold

    @property
    def input_size(self) -> Size:
        sizes = [self.detector.input_size]
        if self.classifier is not None and self.source is not Source.DETECTOR:
            sizes.append(self.classifier.input_size)
        return (max(w for w, _ in sizes), max(h for _, h in sizes))

    def describe(self) -> dict[str, str]:
        info = self.detector.describe()
        if self.classifier is not None and self.source is not Source.DETECTOR:
            info["classifier"] = self.classifier.path.name
        info["verdict"] = self.source.value
        return info

    def detect_batch(self, images: Sequence[RGBImage]) -> list[DetectionResult]:
        results = self.detector.detect_batch(images)
        if self.source is Source.DETECTOR or not results:
            return results
        for result, (evidence, prepare_ms, run_ms) in zip(
            results, self._look(images, results), strict=True
        ):
            judge(result, evidence, self.source, self.threshold)
            result.timings.preprocess += prepare_ms
            result.timings.inference += run_ms
        return results

    def evidence(
        self, images: Sequence[RGBImage], results: Sequence[DetectionResult]
    ) -> list[Evidence]:
        """What the classifier sees in each image's regions (for fitting and evaluation)."""
        return [evidence for evidence, _, _ in self._look(images, results)]

    def _look(
        self, images: Sequence[RGBImage], results: Sequence[DetectionResult]
    ) -> list[tuple[Evidence, float, float]]:
        """The classifier on every image's regions, in one batch; with each image's share
        of the time it took to prepare them and to run the model, in ms."""
        assert self.classifier is not None
        t0 = time.perf_counter()
        regions = [
            crop_regions(r.food, r.width, r.height) if self.source is Source.COMBINED else []
            for r in results
        ]
        batch = self.classifier.new_batch(sum(1 + len(r) for r in regions))
        row = 0
        for image, crops in zip(images, regions, strict=True):
            self.classifier.prepare_into(image, batch[row])
            row += 1
            for _, (x0, y0, x1, y1) in crops:
                crop = image[round(y0) : round(y1), round(x0) : round(x1)]
                self.classifier.prepare_into(crop, batch[row])
                row += 1
        t1 = time.perf_counter()
        p_hotdog, p_food = self.classifier.run(batch)
        t2 = time.perf_counter()
        out: list[tuple[Evidence, float, float]] = []
        total, row = len(batch), 0
        for result, crops in zip(results, regions, strict=True):
            frame = (float(p_hotdog[row]), float(p_food[row]))
            seen = [
                (det, (float(p_hotdog[row + 1 + i]), float(p_food[row + 1 + i])))
                for i, (det, _) in enumerate(crops)
            ]
            part = (1 + len(crops)) / total  # its share of the batch
            evidence = Evidence(result.scores.get("detector", 0.0), frame, seen)
            out.append((evidence, (t1 - t0) * 1000 * part, (t2 - t1) * 1000 * part))
            row += 1 + len(crops)
        return out
