"""How onnxruntime runs the models: providers that fall back to the CPU, optimizers left out."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from seefood import load_image
from seefood.detection import runtime
from seefood.detection.classifier import Classifier
from seefood.detection.detector import Detector
from seefood.detection.model import Precision
from seefood.detection.runtime import Runtime, choose_providers
from tests.conftest import DEV_SET


def test_a_provider_this_machine_lacks_falls_back_to_the_cpu_with_a_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="seefood.model"):
        detector = Detector(runtime=Runtime(providers=("tensorrt", "no-such-provider")))
    assert detector.model.session.get_providers() == ["CPUExecutionProvider"]
    told = [r for r in caplog.records if "not available" in r.getMessage()]
    assert {getattr(r, "provider", "") for r in told} == {
        "TensorrtExecutionProvider",
        "no-such-provider",
    }
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="seefood.model"):
        assert choose_providers(["tensorrt", "cpu"]) == ["CPUExecutionProvider"]
    assert not caplog.records, "said once per process, not at every session"


def test_the_cpu_provider_comes_last_and_once() -> None:
    assert choose_providers([]) == ["CPUExecutionProvider"]
    assert choose_providers(["cpu", "CPUExecutionProvider"]) == ["CPUExecutionProvider"]


def test_the_optimizers_left_out_change_no_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """runtime.DISABLED_OPTIMIZERS is for speed only: each int8 model's outputs on real photos
    are bit-identical with onnxruntime's full set of passes."""
    images = [
        load_image(p)
        for label in ("hotdog", "not_hotdog")
        for p in sorted((DEV_SET / label).glob("*.jpg"))[:3]
    ]
    fast = Detector(precision=Precision.INT8, food=True), Classifier(precision=Precision.INT8)
    monkeypatch.setattr(runtime, "DISABLED_OPTIMIZERS", ())
    full = Detector(precision=Precision.INT8, food=True), Classifier(precision=Precision.INT8)
    for image in images:
        batch = fast[0].new_batch(1)
        fast[0].prepare_into(image, batch[0])
        outs = [d.model.run(batch) for d in (fast[0], full[0])]
        assert all(np.array_equal(a, b) for a, b in zip(*outs, strict=True))
        frames = fast[1].new_batch(1)
        fast[1].prepare_into(image, frames[0])
        assert np.array_equal(fast[1].run(frames)[0], full[1].run(frames)[0])
