"""The engine's settings, and the one factory that builds every engine from them."""

import pytest
from pydantic import ValidationError

from seefood.detection.model import Precision
from seefood.detection.settings import EngineSettings, build_engine
from seefood.detection.verdict import VerdictSource


def test_the_default_engine_is_both_int8_models_and_the_combined_verdict() -> None:
    engine = build_engine()
    assert engine.source is VerdictSource.COMBINED and engine.threshold == 0.5
    assert engine.detector.model.path.name == "nanodet-g-int8.onnx"
    assert engine.classifier is not None and engine.classifier.path.name.endswith("-int8.onnx")
    assert engine.detector.finds_food, "the combined verdict looks at the food it finds"


def test_the_detector_verdict_is_one_model_with_its_own_line() -> None:
    engine = build_engine(EngineSettings(verdict=VerdictSource.DETECTOR, threshold=0.4, threads=1))
    assert engine.classifier is None and not engine.detector.finds_food
    assert engine.threshold == engine.detector.threshold == 0.4
    options = engine.detector.model.session.get_session_options()
    assert options.intra_op_num_threads == 1


def test_precision_and_threads_reach_each_model() -> None:
    settings = EngineSettings(
        detector_precision=Precision.FP32, classifier_precision=Precision.FP32, min_score=0.5
    )
    engine = build_engine(settings, threads=1)  # the caller shares the cores out
    assert engine.detector.model.path.name == "nanodet-g.onnx"
    assert (
        engine.classifier is not None and engine.classifier.path.name == "efficientnet-lite2.onnx"
    )
    assert engine.detector.min_score == 0.5
    assert engine.classifier.session.get_session_options().intra_op_num_threads == 1


def test_values_out_of_range_are_refused() -> None:
    with pytest.raises(ValidationError, match="threshold"):
        EngineSettings(threshold=0)
    assert EngineSettings.model_validate({"providers": "cuda, cpu"}).providers == ["cuda", "cpu"]
