"""Where the classifier looks: at each whole frame, then at the food crops that can still
change the answer, with a live stream's memory standing in for looks it need not take."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from seefood.detection.classifier import Classifier
from seefood.detection.coco import HOTDOG_CLASS_ID
from seefood.detection.memory import LIVE_CROPS, CropMemory
from seefood.detection.result import Detection, DetectionResult
from seefood.detection.verdict import (
    MAX_CROPS,
    Box,
    Evidence,
    Line,
    Reading,
    VerdictSource,
    crop_regions,
    read,
    share,
)
from seefood.types import RGBImage


class Looks:
    """The classifier's looks for one engine's verdict (`source`, `threshold`, `line`)."""

    def __init__(
        self, classifier: Classifier, source: VerdictSource, threshold: float, line: Line
    ) -> None:
        self.classifier = classifier
        self.source = source
        self.threshold = threshold
        self.line = line

    def _read(self, evidence: Evidence) -> Reading:
        return read(evidence, self.source, self.line)

    def regions(self, result: DetectionResult) -> list[tuple[Detection, Box]]:
        if self.source is not VerdictSource.COMBINED:
            return []  # the classifier verdict looks at the whole frame only
        return crop_regions(result.food, result.width, result.height)

    def glance(self, result: DetectionResult, memory: CropMemory | None) -> Evidence | None:
        """The evidence from a settled stream's memory alone, where it may stand for a
        look (see memory.py); None: look. A box never seen could only raise the score,
        so it ends the glance only where the remembered looks are not already hotdog."""
        if memory is None:
            return None
        memory.glanced = False
        regions = self.regions(result)
        glance = memory.glance([square for _, square in regions])
        if glance is None:
            return None
        whole, looks = glance
        crops = [(det, look) for (det, _), look in zip(regions, looks, strict=True) if look]
        evidence = Evidence(result.hotdog_score, whole, crops)
        if len(crops) < len(regions) and self._read(evidence).score < self.threshold:
            return None
        memory.glanced = True
        return evidence

    def look(
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
        classifier = self.classifier
        if not images:
            return []
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
            memory = memories[i] if memories is not None else None
            wanted.append(self._choose(result, ev, memory, recalled[i], complete))
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

    def _choose(
        self,
        result: DetectionResult,
        ev: Evidence,
        memory: CropMemory | None,
        recalled: dict[int, tuple[Detection, Box]],
        complete: bool,
    ) -> list[tuple[Detection, Box]]:
        """The crops of one image to look at, after its whole frame; recalled looks go
        into `ev` and `recalled`."""
        regions = self.regions(result)
        if memory is not None:
            memory.remember_frame(ev.frame)
            fresh: list[tuple[Detection, Box]] = []
            known: list[tuple[int, int, Detection, Box]] = []  # -age, order, box, square
            for det, square in regions:
                look = memory.recall(square)
                if look is None:
                    fresh.append((det, square))
                else:
                    known.append((-memory.age(square), len(known), det, square))
                    ev.crops.append((det, look))
                    recalled[id(det)] = (det, square)
            regions = fresh + [(det, square) for _, _, det, square in sorted(known)]
        if regions and not complete and self._read(ev).score >= self.threshold:
            # Decided: look only at the box most likely the hot dog, to show it.
            hotdogs = [r for r in regions if r[0].class_id == HOTDOG_CLASS_ID]
            regions = (hotdogs or regions)[:1]
        if memory is not None:
            regions = regions[:LIVE_CROPS]
        return regions

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
