"""Tiny ONNX graphs with the output layout of YOLOv5 and YOLOv8 exports.

No YOLOv5/v8 weights can be had here, so these graphs stand in for them: each returns a fixed
tensor of the right layout (plus 0 x the input's mean, so the output depends on a real run).
They test what seefood does with such outputs: recognising the layout, decoding, and mapping
boxes back through the letterbox; not the detection quality of any real network.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def constant_output_model(path: Path, output: np.ndarray, input_size: int = 320) -> Path:
    """A model whose single output is `output` for any input of [1, 3, size, size]."""
    const = numpy_helper.from_array(output.astype(np.float32), "planted")
    zero = numpy_helper.from_array(np.zeros(1, np.float32), "zero")
    nodes = [
        helper.make_node("ReduceMean", ["images"], ["mean"], keepdims=0),
        helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
        helper.make_node("Add", ["planted", "nothing"], ["output0"]),
    ]
    graph = helper.make_graph(
        nodes,
        "planted",
        [
            helper.make_tensor_value_info(
                "images", TensorProto.FLOAT, [1, 3, input_size, input_size]
            )
        ],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, list(output.shape))],
        initializer=[const, zero],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


def cells(size: int) -> int:
    return sum((size // s) ** 2 for s in (8, 16, 32))


def yolov5_model(path: Path, boxes: list[tuple[float, float, float, float, float, int]]) -> Path:
    """YOLOv5 layout [1, 3*cells, 85]; each box is (cx, cy, w, h, score, class) in input px."""
    out = np.zeros((1, 3 * cells(320), 85), np.float32)
    for i, (cx, cy, w, h, score, cls) in enumerate(boxes):
        out[0, 100 + i, :5] = [cx, cy, w, h, 1.0]
        out[0, 100 + i, 5 + cls] = score
    return constant_output_model(path, out)


def yolov8_model(path: Path, boxes: list[tuple[float, float, float, float, float, int]]) -> Path:
    """YOLOv8 layout [1, 84, cells]."""
    out = np.zeros((1, 84, cells(320)), np.float32)
    for i, (cx, cy, w, h, score, cls) in enumerate(boxes):
        out[0, :4, 100 + i] = [cx, cy, w, h]
        out[0, 4 + cls, 100 + i] = score
    return constant_output_model(path, out)
