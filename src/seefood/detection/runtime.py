"""How onnxruntime runs a model here: its threads, its execution providers, its spinning.

These travel as one value, `Runtime`, from the engine's settings to each model's session.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import onnxruntime as ort

log = logging.getLogger("seefood.model")


class ModelError(RuntimeError):
    """The model file is missing, unreadable, or of a layout we do not know."""


@dataclass(frozen=True, slots=True)
class Runtime:
    threads: int | None = None  # intra-op threads; None: every core
    providers: tuple[str, ...] = ()  # to try in order; the CPU is always the fallback
    # onnxruntime's workers spin after each run, waiting for the next. That saves a model run
    # alone about 4%, but with the detector and the classifier run back to back each one's
    # spinning threads take the CPU the other needs: two models ran 138 ms instead of 73.
    spinning: bool = False


# Short names for onnxruntime's execution providers (SEEFOOD_PROVIDERS); full names work too.
PROVIDERS = {
    "cpu": "CPUExecutionProvider",
    "cuda": "CUDAExecutionProvider",
    "tensorrt": "TensorrtExecutionProvider",
    "openvino": "OpenVINOExecutionProvider",
    "coreml": "CoreMLExecutionProvider",
    "directml": "DmlExecutionProvider",
    "rocm": "ROCMExecutionProvider",
}
_missing_told: set[str] = set()


def choose_providers(wanted: Sequence[str]) -> list[str]:
    """The wanted execution providers that this onnxruntime has, in order, and the CPU's
    last as the fallback; each one missing is logged once, never an error."""
    available = ort.get_available_providers()
    chosen = []
    for name in wanted:
        full = PROVIDERS.get(name.lower(), name)
        if full in available:
            if full not in chosen:
                chosen.append(full)
        elif full not in _missing_told:
            _missing_told.add(full)
            log.warning(
                "execution provider %s is not available (this onnxruntime has %s): using the "
                "next one",
                full,
                ", ".join(available),
                extra={"provider": full},
            )
    if "CPUExecutionProvider" not in chosen:
        chosen.append("CPUExecutionProvider")
    return chosen


# onnxruntime's QDQ propagation moves the detector's first QuantizeLinear above its float
# stem's MaxPool, which then runs on uint8 in NCHW, unvectorised: 3.8 of the int8
# detector's 14 ms. Without it (and the final cleanup that would fold the pairs it leaves)
# the int8 detector runs in 8.5-9.7 ms with bit-identical outputs (fp32 models have no
# QDQ nodes for them to touch).
DISABLED_OPTIMIZERS = ("QDQPropagationTransformer", "QDQFinalCleanupTransformer")


def open_session(path: Path, runtime: Runtime = Runtime()) -> ort.InferenceSession:
    """An onnxruntime session for a model file on the first of `providers` this machine
    has (the CPU when none), or a ModelError that says why not."""
    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    options = ort.SessionOptions()
    options.intra_op_num_threads = runtime.threads or (os.cpu_count() or 1)
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if not runtime.spinning:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(
            str(path),
            options,
            providers=choose_providers(runtime.providers),
            disabled_optimizers=list(DISABLED_OPTIMIZERS),
        )
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise ModelError(f"cannot load {path}: {exc}") from exc
