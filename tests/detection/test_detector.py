"""The detector with the real NanoDet-g model on real photos, and synthetic YOLO layouts."""

from pathlib import Path

import numpy as np
import pytest

from seefood import Detector, load_image
from seefood.types import RGBImage
from tests.conftest import DEV_SET, YOLOX_NANO, iou, noise_image
from tests.onnx_models import yolov5_model, yolov8_model


@pytest.fixture(scope="module")
def dev_scores(
    detector: Detector, hotdog_paths: list[Path], not_hotdog_paths: list[Path]
) -> tuple[np.ndarray, np.ndarray]:
    pos = [r.hotdog_score for r in detector.detect_batch([load_image(p) for p in hotdog_paths])]
    neg = [r.hotdog_score for r in detector.detect_batch([load_image(p) for p in not_hotdog_paths])]
    return np.array(pos), np.array(neg)


@pytest.mark.slow  # the dev set or a long run: not in the fast tier
def test_hotdog_quality_on_the_dev_set(
    detector: Detector, dev_scores: tuple[np.ndarray, np.ndarray]
) -> None:
    """Measured when written (threshold 0.25): recall 0.63, false-positive rate 0.10, AUC 0.85."""
    pos, neg = dev_scores
    t = detector.threshold
    recall, fpr = (pos >= t).mean(), (neg >= t).mean()
    assert recall >= 0.55, recall
    assert fpr <= 0.15, fpr
    auc = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    assert auc >= 0.80, auc


def test_finds_the_hot_dog_where_it_is(detector: Detector, hotdog_image: RGBImage) -> None:
    result = detector.detect(hotdog_image)
    assert result.verdict == "hotdog"
    assert (result.width, result.height) == (224, 168)
    best = max((d for d in result.detections if d.class_name == "hot dog"), key=lambda d: d.score)
    assert best.score == pytest.approx(result.hotdog_score)
    # The bun fills the photo's middle band (checked by eye on the annotated image).
    assert iou(best.box, (17, 38, 207, 112)) > 0.8


def test_other_food_is_not_hotdog(detector: Detector) -> None:
    # Vegetables in a bowl on a table: clearly food, clearly no hot dog.
    result = detector.detect(load_image(DEV_SET / "not_hotdog" / "1001773.jpg"))
    assert result.verdict == "not_hotdog"
    assert result.detections, "it should still see the other objects"


def test_noise_has_no_confident_detections(detector: Detector) -> None:
    result = detector.detect(noise_image(640, 480))
    assert result.verdict == "not_hotdog"
    assert all(d.score < 0.5 for d in result.detections)


def test_batch_equals_one_by_one(detector: Detector, hotdog_paths: list[Path]) -> None:
    images = [load_image(p) for p in hotdog_paths[:6]] + [noise_image(300, 500)]
    batched = detector.detect_batch(images)
    for image, together in zip(images, batched, strict=True):
        alone = detector.detect(image)
        assert alone.verdict == together.verdict
        assert alone.hotdog_score == pytest.approx(together.hotdog_score, abs=1e-4)
        assert [d.class_id for d in alone.detections] == [d.class_id for d in together.detections]
        for a, b in zip(alone.detections, together.detections, strict=True):
            np.testing.assert_allclose(a.box, b.box, atol=0.05)


def test_results_are_sorted_thresholded_and_timed(
    detector: Detector, hotdog_image: RGBImage
) -> None:
    result = detector.detect(hotdog_image)
    scores = [d.score for d in result.detections]
    assert (
        scores == sorted(scores, reverse=True) or len({d.class_id for d in result.detections}) > 1
    )
    assert all(
        d.score >= detector.min_score or d.class_name == "hot dog" for d in result.detections
    )
    for d in result.detections:
        x, y, w, h = d.box
        assert x >= 0 and y >= 0 and w > 0 and h > 0
        assert x + w <= result.width + 1e-3 and y + h <= result.height + 1e-3
    t = result.timings
    assert t.preprocess > 0 and t.inference > 0 and t.postprocess > 0
    assert t.decode == 0 and t.queued == 0, "run directly: nothing decoded, nothing queued"
    assert [d.hotdog for d in result.detections] == [
        d.class_name == "hot dog" for d in result.detections
    ]


def test_threshold_moves_the_verdict(hotdog_image: RGBImage) -> None:
    strict = Detector(threshold=0.99)
    assert strict.detect(hotdog_image).verdict == "not_hotdog"
    assert strict.detect(hotdog_image).hotdog_score > 0.5
    with pytest.raises(ValueError, match="threshold"):
        Detector(threshold=0)


def test_yolox_nano_finds_the_same_hot_dog(hotdog_image: RGBImage) -> None:
    yolox = Detector(YOLOX_NANO)
    result = yolox.detect(hotdog_image)
    assert result.verdict == "hotdog"
    best = max((d for d in result.detections if d.class_name == "hot dog"), key=lambda d: d.score)
    assert iou(best.box, (17, 38, 207, 112)) > 0.8
    # Fixed batch of one: detect_batch runs image by image and must agree.
    again = yolox.detect_batch([hotdog_image, hotdog_image])
    assert [r.hotdog_score for r in again] == pytest.approx([result.hotdog_score] * 2, abs=1e-5)


@pytest.mark.parametrize("make", [yolov5_model, yolov8_model])
def test_yolo_layouts_map_boxes_back_to_the_source(tmp_path: Path, make: object) -> None:
    # In the 320x320 input: a hot dog at (120,100)-(200,140), a person at (20,60)-(60,140).
    model = make(tmp_path / "m.onnx", [(160, 120, 80, 40, 0.9, 52), (40, 100, 40, 80, 0.8, 0)])  # type: ignore[operator]
    det = Detector(model)
    # 640x480 letterboxed into 320x320: scale 0.5, centred, 40 px bands top and bottom.
    result = det.detect(noise_image(640, 480))
    by_class = {d.class_name: d for d in result.detections}
    assert result.verdict == "hotdog" and result.hotdog_score == pytest.approx(0.9)
    np.testing.assert_allclose(by_class["hot dog"].box, (240, 120, 160, 80), atol=1e-3)
    np.testing.assert_allclose(by_class["person"].box, (40, 40, 80, 160), atol=1e-3)
