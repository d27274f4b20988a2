"""The engine daemons and the CLI run: the detector for boxes, the classifier and the verdict
stage for the answer, on a batch of images in two model runs."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from seefood.detection.classifier import Classifier
from seefood.detection.coco import HOTDOG_CLASS_ID
from seefood.detection.detector import Detector
from seefood.detection.memory import LIVE_CROPS, CropMemory
from seefood.detection.result import Detection, DetectionResult
from seefood.detection.verdict import (
    DEFAULT_LINE,
    DEFAULT_THRESHOLDS,
    MAX_CROPS,
    Box,
    Evidence,
    Reading,
    VerdictSource,
    crop_regions,
    judged,
    line_for,
    read,
    share,
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

    def _read(self, evidence: Evidence) -> Reading:
        return read(evidence, self.source, self.line)

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
        if self.source is VerdictSource.DETECTOR or not results:
            return results
        looked = self._look(images, results, memories=memories)
        return [
            replace(
                judged(detected, evidence, self.source, self.threshold, self.line),
                timings=detected.timings.added(preprocess=prepare_ms, inference=run_ms),
            )
            for detected, (evidence, prepare_ms, run_ms) in zip(results, looked, strict=True)
        ]

    def evidence(
        self,
        images: Sequence[RGBImage],
        results: Sequence[DetectionResult],
        *,
        complete: bool = False,
    ) -> list[Evidence]:
        """What the classifier sees in each image's regions; `complete` looks at every crop
        even where the whole frame already decided (for fitting and evaluation)."""
        return [evidence for evidence, _, _ in self._look(images, results, complete=complete)]

    def _look(
        self,
        images: Sequence[RGBImage],
        results: Sequence[DetectionResult],
        *,
        complete: bool = False,
        memories: Sequence[CropMemory | None] | None = None,
    ) -> list[tuple[Evidence, float, float]]:
        """The classifier on each whole frame, then on the crops that can still change the
        answer; with each image's share of the time taken to prepare them and to run the
        model, in ms.

        Crops only ever raise the score, so where the whole frame already says hotdog they
        cannot change the verdict: then only the box most likely the hot dog (the detector's
        best hot-dog box, else its best food box) is looked at, to confirm it. That keeps a
        hot dog filling the camera at one or two classifier runs a frame, rather than six.

        A live stream's memory recalls what the last frames showed of each box, and only
        LIVE_CROPS boxes are looked at anew: those never seen, then the one looked at
        longest ago. The memory saves work but never makes a hot dog: where a recalled look
        would decide hotdog, that box is looked at again in this frame. (A compressed frame
        just after a cut can read a bowl of macarons as a hot dog; remembered, that one look
        had called the next half second of clean frames hotdog too.)
        """
        assert self.classifier is not None
        classifier = self.classifier
        t0 = time.perf_counter()
        frames = classifier.new_batch(len(images))
        for i, image in enumerate(images):
            classifier.prepare_into(image, frames[i])
        t1 = time.perf_counter()
        p_frame, f_frame = classifier.run(frames)
        t2 = time.perf_counter()
        evidence = [
            Evidence(r.hotdog_score, (float(p), float(f)))  # the detector's own score
            for r, p, f in zip(results, p_frame, f_frame, strict=True)
        ]
        share_ms = [((t1 - t0) / len(images), (t2 - t1) / len(images)) for _ in images]
        # The boxes judged from memory in each image, by id: what to look at again.
        recalled: list[dict[int, tuple[Detection, Box]]] = [{} for _ in images]
        wanted: list[list[tuple[Detection, Box]]] = []
        for i, (result, ev) in enumerate(zip(results, evidence, strict=True)):
            regions = (
                crop_regions(result.food, result.width, result.height)
                if self.source is VerdictSource.COMBINED
                else []
            )
            memory = memories[i] if memories is not None else None
            if memory is not None:
                memory.next_frame()
                fresh: list[tuple[Detection, Box]] = []
                known: list[tuple[int, int, Detection, Box]] = []  # -age, order, box, square
                for det, square in regions:
                    look = memory.recall(square)
                    if look is None:
                        fresh.append((det, square))
                    else:
                        known.append((-memory.age(square), len(known), det, square))
                        ev.crops.append((det, look))
                        recalled[i][id(det)] = (det, square)
                regions = fresh + [(det, square) for _, _, det, square in sorted(known)]
            if regions and not complete and self._read(ev).score >= self.threshold:
                # Decided: look only at the box most likely the hot dog, to show it.
                hotdogs = [r for r in regions if r[0].class_id == HOTDOG_CLASS_ID]
                regions = (hotdogs or regions)[:1]
            if memory is not None:
                regions = regions[:LIVE_CROPS]
            wanted.append(regions)
        for _ in range(MAX_CROPS):
            looked = self._look_at_crops(images, wanted, evidence, recalled, memories)
            share_ms = [(a + b, c + d) for (a, c), (b, d) in zip(share_ms, looked, strict=True)]
            wanted = [self._to_confirm(e, r) for e, r in zip(evidence, recalled, strict=True)]
            if not any(wanted):
                break
        return [
            (ev, prepare * 1000, run * 1000)
            for ev, (prepare, run) in zip(evidence, share_ms, strict=True)
        ]

    def _to_confirm(
        self, evidence: Evidence, recalled: dict[int, tuple[Detection, Box]]
    ) -> list[tuple[Detection, Box]]:
        """The remembered box that would decide hotdog, to look at again (none if no such)."""
        reading = self._read(evidence)
        box = reading.box
        if reading.score < self.threshold or box is None or id(box) not in recalled:
            return []
        if share(*evidence.frame) >= reading.share:
            return []  # the whole frame, looked at now, decides
        return [recalled[id(box)]]

    def _look_at_crops(
        self,
        images: Sequence[RGBImage],
        wanted: Sequence[Sequence[tuple[Detection, Box]]],
        evidence: Sequence[Evidence],
        recalled: Sequence[dict[int, tuple[Detection, Box]]],
        memories: Sequence[CropMemory | None] | None,
    ) -> list[tuple[float, float]]:
        """One classifier run over the wanted crops of every image; their looks replace what
        the memory said. Returns each image's share of the seconds to prepare and to run."""
        assert self.classifier is not None
        classifier = self.classifier
        t0 = time.perf_counter()
        crops = classifier.new_batch(sum(len(w) for w in wanted))
        row = 0
        for image, regions in zip(images, wanted, strict=True):
            for _, (x0, y0, x1, y1) in regions:
                classifier.prepare_into(
                    image[round(y0) : round(y1), round(x0) : round(x1)], crops[row]
                )
                row += 1
        t1 = time.perf_counter()
        p_crop, f_crop = classifier.run(crops) if row else (np.zeros(0), np.zeros(0))
        t2 = time.perf_counter()
        out = []
        row = 0
        for i, (ev, regions) in enumerate(zip(evidence, wanted, strict=True)):
            memory = memories[i] if memories is not None else None
            for j, (det, square) in enumerate(regions):
                seen = (float(p_crop[row + j]), float(f_crop[row + j]))
                if memory is not None:
                    memory.remember(square, seen)
                ev.crops = [c for c in ev.crops if c[0] is not det]
                ev.crops.append((det, seen))
                recalled[i].pop(id(det), None)
            row += len(regions)
            part = len(regions) / max(len(crops), 1)
            out.append(((t1 - t0) * part, (t2 - t1) * part))
        return out
