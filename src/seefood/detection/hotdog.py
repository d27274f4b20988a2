"""The engine daemons and the CLI run: the detector for boxes, the classifier and the verdict
stage for the answer, on a batch of images in two model runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from seefood.detection.classifier import Classifier
from seefood.detection.detector import Detector
from seefood.detection.looks import Looks
from seefood.detection.memory import CropMemory
from seefood.detection.result import DetectionResult
from seefood.detection.verdict import (
    DEFAULT_LINE,
    DEFAULT_THRESHOLDS,
    Evidence,
    VerdictSource,
    judged,
    line_for,
)
from seefood.types import RGBImage, Size


class HotdogEngine:
    """`detect_batch(images)`: boxes from the detector, the verdict from `source`.

    Thread-safe, as its two models are.
    """

    def __init__(
        self,
        detector: Detector,
        classifier: Classifier | None = None,
        *,
        source: VerdictSource = VerdictSource.COMBINED,
        threshold: float | None = None,
    ) -> None:
        if source is not VerdictSource.DETECTOR and classifier is None:
            raise ValueError(f"the {source} verdict needs a classifier")
        self.detector = detector
        self.classifier = classifier
        self.source = source
        if source is VerdictSource.DETECTOR:
            # The detector's own line decides: it reports hot dogs from there.
            if threshold is not None and threshold != detector.threshold:
                raise ValueError("the detector verdict's threshold is the detector's own")
            threshold = detector.threshold
        elif not detector.finds_food:
            raise ValueError(f"the {source} verdict needs a detector made with food=True")
        self.threshold = threshold if threshold is not None else DEFAULT_THRESHOLDS[source]
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        # Each shipped classifier has its own fitted line (its scores differ a little).
        self.line = line_for(classifier.path.name) if classifier is not None else DEFAULT_LINE
        self.looks = (
            Looks(classifier, source, self.threshold, self.line)
            if classifier is not None and source is not VerdictSource.DETECTOR
            else None
        )

    def detect(self, image: RGBImage) -> DetectionResult:
        return self.detect_batch([image])[0]

    @property
    def input_size(self) -> Size:
        sizes = [self.detector.input_size]
        if self.classifier is not None and self.source is not VerdictSource.DETECTOR:
            sizes.append(self.classifier.input_size)
        return (max(w for w, _ in sizes), max(h for _, h in sizes))

    def describe(self) -> dict[str, str]:
        info = self.detector.describe()
        if self.classifier is not None and self.source is not VerdictSource.DETECTOR:
            info["classifier"] = self.classifier.path.name
        info["verdict"] = self.source.value
        return info

    def detect_batch(
        self,
        images: Sequence[RGBImage],
        memories: Sequence[CropMemory | None] | None = None,
    ) -> list[DetectionResult]:
        """`memories`, one per image or None, are live streams' (see memory.py)."""
        results = self.detector.detect_batch(images)
        if self.looks is None or not results:
            return results
        looks = self.looks
        streams = list(memories) if memories is not None else [None] * len(images)
        for memory in streams:
            if memory is not None:
                memory.next_frame()
        glances = [looks.glance(r, m) for r, m in zip(results, streams, strict=True)]
        todo = [i for i, glance in enumerate(glances) if glance is None]
        looked = iter(
            looks.look(
                [images[i] for i in todo],
                [results[i] for i in todo],
                memories=[streams[i] for i in todo],
            )
        )
        out = []
        for detected, glance in zip(results, glances, strict=True):
            evidence, prepare_ms, run_ms = next(looked) if glance is None else (glance, 0.0, 0.0)
            verdict = judged(detected, evidence, self.source, self.threshold, self.line)
            timings = detected.timings.added(preprocess=prepare_ms, inference=run_ms)
            out.append(replace(verdict, timings=timings))
        return out

    def evidence(
        self,
        images: Sequence[RGBImage],
        results: Sequence[DetectionResult],
        *,
        complete: bool = False,
    ) -> list[Evidence]:
        """What the classifier sees in each image's regions; `complete` looks at every crop
        even where the whole frame already decided (for fitting and evaluation)."""
        if self.looks is None:
            raise ValueError("the detector verdict has no classifier evidence")
        return [e for e, _, _ in self.looks.look(images, results, complete=complete)]
