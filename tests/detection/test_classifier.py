"""The ImageNet classifier: the shipped EfficientNet-Lite2, and other models of its layout."""

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from seefood import load_image
from seefood.detection.classifier import IMAGENET_FOOD, IMAGENET_HOTDOG, Classifier
from seefood.detection.model import ModelError, file_sha256
from tests.conftest import DEV_SET, ROOT, noise_image


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier()


def test_hot_dog_and_other_food(classifier: Classifier) -> None:
    assert classifier.input_size == (260, 260) and classifier.batchable
    hotdog = load_image(DEV_SET / "hotdog" / "12123657.jpg")
    pancakes = load_image(DEV_SET / "not_hotdog" / "1001773.jpg")
    p_hotdog, p_food = classifier.classify([hotdog, pancakes, noise_image(40, 30)])
    assert p_hotdog[0] > 0.5 and p_hotdog[1] < 0.05
    assert p_food[0] >= p_hotdog[0] and p_food[1] > 0.3, "both are food"
    assert p_food[2] < 0.2, "noise is not food"


def test_a_batch_equals_one_by_one(classifier: Classifier) -> None:
    images = [load_image(p) for p in sorted((DEV_SET / "hotdog").glob("*.jpg"))[:3]]
    together = classifier.classify(images)
    alone = [classifier.classify([img]) for img in images]
    for i in range(3):
        assert together[0][i] == pytest.approx(alone[i][0][0], abs=1e-5)
        assert together[1][i] == pytest.approx(alone[i][1][0], abs=1e-5)


def test_the_shipped_model_matches_its_notice() -> None:
    notice = (ROOT / "src" / "seefood" / "models" / "NOTICE").read_text()
    assert file_sha256(Classifier().path) in notice


def _imagenet_like(path: Path, logits: bool, classes: int = 1000, side: int = 32) -> Path:
    """A tiny graph of the classifier's layout: [N, 3, S, S] in, [N, classes] out."""
    weight = np.zeros((classes, 3, side, side), np.float32)
    weight[min(IMAGENET_HOTDOG, classes - 1)] = 0.001  # a logit of ~3 for a white image
    nodes = [
        helper.make_node("Conv", ["input", "w"], ["conv"]),
        helper.make_node("Flatten", ["conv"], ["flat"]),
    ]
    if not logits:
        nodes.append(helper.make_node("Softmax", ["flat"], ["out"], axis=1))
    graph = helper.make_graph(
        nodes,
        "imagenet-like",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, side, side])],
        [
            helper.make_tensor_value_info(
                "flat" if logits else "out", TensorProto.FLOAT, ["batch", classes]
            )
        ],
        initializer=[numpy_helper.from_array(weight, "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)
    return path


def test_another_model_of_the_layout_logits_or_probabilities(tmp_path: Path) -> None:
    white = np.full((50, 70, 3), 255, np.uint8)
    for logits in (True, False):
        model = Classifier(_imagenet_like(tmp_path / f"m{logits}.onnx", logits))
        p_hotdog, p_food = model.classify([white])
        assert model.input_size == (32, 32)
        assert 0.01 < p_hotdog[0] < 1.0, "softmax applied to logits, kept for probabilities"
        expected_food = p_hotdog[0] + (IMAGENET_FOOD.stop - IMAGENET_FOOD.start - 1) * (
            (1 - p_hotdog[0]) / 999
        )
        assert p_food[0] == pytest.approx(expected_food, rel=1e-3)


def test_a_model_of_another_layout_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"ImageNet-1k output \[batch, 1000\]"):
        Classifier(_imagenet_like(tmp_path / "ten.onnx", logits=True, classes=10))
    with pytest.raises(ModelError, match="not found"):
        Classifier(tmp_path / "missing.onnx")
