"""The worker's body, in this process (Ray only carries it): the real models, the same
answers as the local engine, the stream's memory returned, a bad frame failing alone."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from seefood.config import Settings
from seefood.detection import runtime
from seefood.detection.hotdog import HotdogEngine
from seefood.detection.memory import CropMemory
from seefood.inference.remote.wire import BadFrame, WorkReply, WorkRequest, encode_jpeg
from seefood.inference.remote.worker import InferenceWorker, auto_providers, model_settings
from seefood.stills.images import decode_image
from seefood.types import RGBImage


@pytest.fixture(scope="module")
def worker() -> InferenceWorker:
    return InferenceWorker(model_settings(Settings()), threads=1)


def test_it_answers_as_the_local_engine_does(
    worker: InferenceWorker, engine: HotdogEngine, hotdog_image: RGBImage
) -> None:
    jpeg = encode_jpeg(hotdog_image)
    (reply,) = worker.infer([WorkRequest(jpeg, None, 0.5)])
    assert isinstance(reply, WorkReply)
    local = engine.detect(decode_image(jpeg))  # the same pixels the worker saw
    assert reply.result.verdict == local.verdict == "hotdog"
    assert reply.result.hotdog_score == pytest.approx(local.hotdog_score, abs=1e-4)
    assert reply.result.timings.decode > 0.5  # the server's encoding and its own decoding
    info = worker.ping()
    assert info["providers"].endswith("CPUExecutionProvider") and info["models"] == {
        **engine.describe()
    }


def test_a_bad_frame_fails_alone_and_memories_come_back(
    worker: InferenceWorker, hotdog_image: RGBImage
) -> None:
    memory = CropMemory()
    replies = worker.infer(
        [WorkRequest(b"garbage", None, 0.0), WorkRequest(encode_jpeg(hotdog_image), memory, 0.0)]
    )
    assert isinstance(replies[0], BadFrame)
    assert isinstance(replies[1], WorkReply) and replies[1].memory is memory
    assert len(memory) >= 1, "the classifier's look at the hot dog is remembered"


def test_the_node_chooses_its_providers_and_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[list[str]] = []
    real = runtime.choose_providers

    def choose(wanted: Sequence[str]) -> list[str]:
        asked.append(list(wanted))
        return real([])  # this machine's CPU, whatever was asked

    monkeypatch.setattr(runtime, "choose_providers", choose)
    sent = model_settings(Settings(providers=["openvino"], verdict="detector"))
    InferenceWorker(sent, threads=1)
    assert asked[-1] == ["openvino"], "the server's choice, where the node names none"
    monkeypatch.setenv("SEEFOOD_PROVIDERS", "cuda")
    worker = InferenceWorker(sent, threads=1)
    assert asked[-1] == ["cuda"], "the node's own choice wins"
    assert worker.engine.describe()["verdict"] == "detector"  # the server's model settings


def test_without_a_choice_a_worker_takes_the_accelerators_it_has() -> None:
    assert auto_providers(["CPUExecutionProvider"]) == []
    available = ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]
    assert auto_providers(available) == ["cuda"]  # TensorRT only when asked for
