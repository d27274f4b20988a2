"""The int8 models against the fp32 ones they were made from, on the real dev photos (none of
which was used to calibrate them), and the execution-provider fallback."""

from __future__ import annotations

from pathlib import Path

import pytest

from seefood import load_image
from seefood.detection.classifier import Classifier, default_classifier_path
from seefood.detection.detector import Detector
from seefood.detection.hotdog import HotdogEngine
from seefood.detection.model import Precision, default_model_path, file_sha256
from seefood.detection.settings import EngineSettings, build_engine
from seefood.stills.evaluate import average_precision
from seefood.types import RGBImage
from tests.conftest import DEV_SET, ROOT, iou


@pytest.fixture(scope="module")
def dev() -> tuple[list[RGBImage], list[RGBImage]]:
    return (
        [load_image(p) for p in sorted((DEV_SET / "hotdog").glob("*.jpg"))],
        [load_image(p) for p in sorted((DEV_SET / "not_hotdog").glob("*.jpg"))],
    )


def test_the_int8_files_are_the_ones_in_the_notice() -> None:
    notice = (ROOT / "src" / "seefood" / "models" / "NOTICE").read_text()
    for path in (default_model_path(Precision.INT8), default_classifier_path(Precision.INT8)):
        assert file_sha256(path) in notice, path.name
    assert Classifier(precision=Precision.INT8).name.endswith(", int8")


@pytest.fixture(scope="module")
def fp32_detector() -> Detector:
    return Detector(precision=Precision.FP32, food=True)


def test_the_int8_detector_finds_the_same_boxes(
    fp32_detector: Detector, dev: tuple[list[RGBImage], list[RGBImage]]
) -> None:
    detector = fp32_detector
    int8 = Detector(precision=Precision.INT8, food=True)
    assert int8.model.metadata["seefood.quantized"].startswith("from nanodet-g.onnx")
    matched = total = 0
    fp32_scores: list[list[float]] = [[], []]
    int8_scores: list[list[float]] = [[], []]
    for label, images in enumerate(dev):
        for image in images:
            a, b = detector.detect(image), int8.detect(image)
            fp32_scores[label].append(a.scores.get("detector", 0.0))
            int8_scores[label].append(b.scores.get("detector", 0.0))
            for box in (d for d in a.detections if d.score >= 0.5):
                total += 1
                matched += any(
                    d.class_id == box.class_id and iou(d.box, box.box) >= 0.8 for d in b.detections
                )
    assert total > 100 and matched / total >= 0.9, (matched, total)  # measured: 203 of 204
    fp32_ap = average_precision(*fp32_scores)
    int8_ap = average_precision(*int8_scores)
    assert abs(int8_ap - fp32_ap) <= 0.015, (fp32_ap, int8_ap)  # measured 0.873 / 0.866


def test_the_int8_classifier_keeps_the_verdict(
    fp32_detector: Detector, dev: tuple[list[RGBImage], list[RGBImage]]
) -> None:
    """The int8 classifier against the fp32 classifier (with the fp32 detector), each at its
    fitted line."""
    engines = {
        p: HotdogEngine(fp32_detector, Classifier(precision=p))
        for p in (Precision.FP32, Precision.INT8)
    }
    default = build_engine(EngineSettings()).classifier
    assert default is not None and default.path.name == "efficientnet-lite2-int8.onnx"
    scores = {
        p: [[e.detect(image).hotdog_score for image in images] for images in dev]
        for p, e in engines.items()
    }
    aps = {p: average_precision(*s) for p, s in scores.items()}
    # bench/bench_models.py measured 0.970 and 0.969
    assert abs(aps[Precision.INT8] - aps[Precision.FP32]) <= 0.015, aps
    same = sum(
        (a >= 0.5) == (b >= 0.5)
        for label in (0, 1)
        for a, b in zip(scores[Precision.FP32][label], scores[Precision.INT8][label], strict=True)
    )
    assert same >= 190, same  # of 200 photos, the same verdict


def test_the_int8_detector_keeps_the_verdict(
    fp32_detector: Detector, dev: tuple[list[RGBImage], list[RGBImage]]
) -> None:
    """Both int8 (the default) against the fp32 detector with the int8 classifier, at the
    shipped line: AP, recall and false alarms on the 200 dev photos."""
    classifier = Classifier(precision=Precision.INT8)
    engines = {
        "int8": HotdogEngine(Detector(precision=Precision.INT8, food=True), classifier),
        "fp32 detector": HotdogEngine(fp32_detector, classifier),
    }
    scores = {
        name: [[e.detect(image).hotdog_score for image in images] for images in dev]
        for name, e in engines.items()
    }
    aps = {name: average_precision(*s) for name, s in scores.items()}
    assert abs(aps["int8"] - aps["fp32 detector"]) <= 0.015, aps  # measured 0.969 / 0.969
    recall = {name: sum(v >= 0.5 for v in s[1]) / len(s[1]) for name, s in scores.items()}
    alarms = {name: sum(v >= 0.5 for v in s[0]) / len(s[0]) for name, s in scores.items()}
    # measured 0.85 / 0.87 and 3% / 3% (cross-validated, scripts/fit_verdict.py: 85.2% / 86.4%)
    assert abs(recall["int8"] - recall["fp32 detector"]) <= 0.02 + 1e-9, recall
    assert abs(alarms["int8"] - alarms["fp32 detector"]) <= 0.02 + 1e-9, alarms


def test_model_files_given_are_used_as_they_are(tmp_path: Path) -> None:
    path = default_model_path(Precision.FP32)
    assert Detector(path, precision=Precision.INT8).model.path == path
