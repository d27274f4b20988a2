"""The engine's settings, and the one factory that builds an engine from them."""

from __future__ import annotations

from pathlib import Path

from seefood.detection.classifier import DEFAULT_CLASSIFIER_PRECISION, Classifier
from seefood.detection.detector import DEFAULT_IOU_THRESHOLD, DEFAULT_MIN_SCORE, Detector
from seefood.detection.hotdog import HotdogEngine
from seefood.detection.model import DEFAULT_DETECTOR_PRECISION, Precision
from seefood.detection.runtime import Runtime
from seefood.detection.verdict import DEFAULT_THRESHOLDS, VerdictSource
from seefood.setting import MODEL_COMMANDS, Section, Words, setting

_THRESHOLDS = (
    f"{DEFAULT_THRESHOLDS[VerdictSource.COMBINED]} (combined, classifier), "
    f"{DEFAULT_THRESHOLDS[VerdictSource.DETECTOR]} (detector)"
)


class EngineSettings(Section):
    """What decides an engine's answers, and how its models run (threads, providers)."""

    model: Path | None = setting(
        None, "ONNX detector file", shown="the shipped NanoDet-g", flag=MODEL_COMMANDS
    )
    verdict: VerdictSource = setting(
        VerdictSource.COMBINED,
        "what decides hotdog: combined (classifier and detector), classifier (the whole "
        "frame's classification alone) or detector (its hot-dog box alone)",
        flag=MODEL_COMMANDS,
    )
    classifier: Path | None = setting(
        None,
        "ImageNet-1k ONNX classifier (square RGB input, (x - 127) / 128)",
        shown="the shipped EfficientNet-Lite2",
        flag=MODEL_COMMANDS,
    )
    detector_precision: Precision = setting(
        DEFAULT_DETECTOR_PRECISION,
        "the shipped detector quantised (int8: with the int8 classifier the verdict about 2x "
        "faster than both in fp32, its recall within 2 points) or as converted (fp32); a "
        "--model file is used as it is",
        flag=MODEL_COMMANDS,
    )
    classifier_precision: Precision = setting(
        DEFAULT_CLASSIFIER_PRECISION,
        "the shipped classifier quantised (int8: the same answers; with the int8 detector the "
        "verdict 2.1-2.3x faster than both in fp32) or as converted (fp32); a --classifier "
        "file is used as it is",
        flag=MODEL_COMMANDS,
    )
    providers: Words = setting(
        description="onnxruntime execution providers to try in order (cuda, tensorrt, "
        "openvino, coreml, directml, or full names); the CPU is always the fallback",
        factory=list,
        shown="cpu",
        flag=MODEL_COMMANDS,
    )
    threshold: float | None = setting(
        None,
        "hot-dog score for a 'hotdog' verdict",
        shown=_THRESHOLDS,
        flag=MODEL_COMMANDS,
        gt=0,
        le=1,
    )
    min_score: float = setting(
        DEFAULT_MIN_SCORE,
        "lowest score reported for other classes",
        flag=MODEL_COMMANDS,
        gt=0,
        le=1,
    )
    iou_threshold: float = setting(DEFAULT_IOU_THRESHOLD, "NMS IoU", gt=0, le=1)
    threads: int | None = setting(
        None,
        "onnxruntime threads per session",
        shown="cores / daemons, 2 at least (1 beyond a daemon per core)",
        flag=MODEL_COMMANDS,
        ge=1,
    )


def build_engine(
    settings: EngineSettings | None = None, threads: int | None = None
) -> HotdogEngine:
    """The detector and the verdict as the settings say (the shipped models by default);
    `threads` for each model when the caller shares the cores out."""
    settings = settings or EngineSettings()
    source = settings.verdict
    runtime = Runtime(threads or settings.threads, tuple(settings.providers))
    alone = source is VerdictSource.DETECTOR
    threshold = settings.threshold if settings.threshold is not None else DEFAULT_THRESHOLDS[source]
    detector = Detector(
        settings.model,
        precision=settings.detector_precision,
        # The only model: let its threads spin between runs.
        runtime=Runtime(runtime.threads, runtime.providers, spinning=alone),
        threshold=threshold if alone else DEFAULT_THRESHOLDS[VerdictSource.DETECTOR],
        min_score=settings.min_score,
        iou_threshold=settings.iou_threshold,
        food=not alone,
    )
    if alone:
        return HotdogEngine(detector, source=source)
    classifier = Classifier(
        settings.classifier, precision=settings.classifier_precision, runtime=runtime
    )
    return HotdogEngine(detector, classifier, source=source, threshold=threshold)
