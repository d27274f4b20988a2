"""The worker: the body of the Ray actor on a remote node, holding the detection stack.

It builds the same engine a local daemon runs (`build_engine`) from the server's engine
settings, with this node's own execution providers and threads where the node says
(`SEEFOOD_PROVIDERS`, `SEEFOOD_THREADS` in the environment `seefood worker` started it in).
Nothing here imports Ray: `ray_worker` wraps this class as an actor.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np
import onnxruntime as ort

from seefood.detection.memory import CropMemory
from seefood.detection.result import DetectionResult
from seefood.detection.runtime import PROVIDERS
from seefood.detection.settings import EngineSettings, build_engine
from seefood.inference.batches import convert_each, detected, run_good
from seefood.inference.remote.wire import WorkerInfo, WorkReply, WorkRequest, decode_jpeg
from seefood.setting import from_environment
from seefood.types import RGBImage

log = logging.getLogger("seefood.worker")

NODE_SETTINGS = ("providers", "threads")  # a node's own: its environment's choice wins
# What a worker uses when neither its node nor the server names providers: the accelerators
# its onnxruntime build has, best first (TensorRT only when asked: it needs its own
# libraries, and builds its engines for minutes at the first run), then the CPU.
AUTO_PROVIDERS = ("cuda", "rocm", "openvino", "coreml", "directml")


def auto_providers(available: Sequence[str]) -> list[str]:
    """The accelerators among an onnxruntime build's providers, best first."""
    return [name for name in AUTO_PROVIDERS if PROVIDERS[name] in available]


def model_settings(settings: EngineSettings) -> dict[str, Any]:
    """What the server sends each worker it starts: its engine settings, so that every
    daemon gives the same verdict (threads are the node's business)."""
    return settings.model_dump(include=set(EngineSettings.model_fields) - {"threads"})


class InferenceWorker:
    def __init__(self, settings: dict[str, Any], threads: int | None = None) -> None:
        fields = dict(settings)
        # What this node's own environment sets (SEEFOOD_PROVIDERS, SEEFOOD_THREADS) wins.
        node = from_environment(EngineSettings)
        own = node.model_fields_set & set(NODE_SETTINGS)
        fields.update({name: getattr(node, name) for name in own})
        if threads is not None and "threads" not in own:
            fields["threads"] = threads
        if not fields.get("providers") and "providers" not in own:
            fields["providers"] = auto_providers(ort.get_available_providers())
        self.engine = build_engine(EngineSettings(**fields))
        # One run before the first ping is answered: onnxruntime's first run of a session
        # is several times slower, and would count against the first call's deadline.
        self.engine.detect_batch([np.zeros((480, 640, 3), np.uint8)], [CropMemory()])
        session = self.engine.detector.model.session
        self.info = WorkerInfo(
            pid=os.getpid(),
            host=socket.gethostname(),
            providers=",".join(session.get_providers()),
            models=self.engine.describe(),
        )

    def ping(self) -> WorkerInfo:
        return self.info

    def infer(self, requests: Sequence[WorkRequest]) -> list[WorkReply | Exception]:
        """One batch: a reply per request, or the error that failed that request alone."""
        decoded = convert_each(requests, lambda request: decode_jpeg(request.jpeg))

        def reply(item: tuple[WorkRequest, RGBImage, float], result: DetectionResult) -> WorkReply:
            request, _, decode_ms = item
            timings = result.timings.added(decode=request.encode_ms + decode_ms)
            return WorkReply(replace(result, timings=timings), request.memory)

        replies: list[WorkReply | Exception] = [
            o if isinstance(o, Exception) else reply(*o)
            for o in run_good(decoded, partial(detected, self.engine))
        ]
        return replies
