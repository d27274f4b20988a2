"""Make the int8 models, src/seefood/models/*-int8.onnx, from the shipped fp32 ones.

Static quantisation (onnxruntime's quantize_static), QDQ format, per-channel int8 weights
and uint8 activations (int8 activations gave no speed-up on this CPU), MinMax ranges from
calibration images prepared by seefood's own code (the detector's letterbox, the
classifier's resize of whole frames and of square crops round their labelled objects).
Before that each graph is made plain:

- float16 weights behind Cast nodes become float32 initializers (the quantiser reads
  initializers, not Casts);
- every explicit Pad that tf2onnx put before a Conv or a MaxPool is folded into that
  node's own `pads` (a Pad of -inf before NanoDet's MaxPool would otherwise give the
  calibrator infinite ranges, and NaN scales).

Calibration: the first 64 coco128 photos (CC-BY Flickr images with COCO annotations, read
from ../shared beside the checkout), none of the hot-dog dev photos on which the result is
then checked (tests/test_quantized.py, bench/bench_models.py). The output is the same
bytes on every run with the same inputs.

Tried on the detector, none better on the dev photos: Percentile (99.99, 99.999) and
Entropy ranges, 128 calibration photos, its score layers left in float. The int8 detector
ships, but the default stays fp32 (see detection/model.py).

Usage: python scripts/quantize_models.py [OUT_DIR]
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process

from seefood.detection.classifier import INT8_CLASSIFIER_NAME, Classifier, default_classifier_path
from seefood.detection.detector import Detector
from seefood.detection.model import INT8_MODEL_NAME, Precision, default_model_path
from seefood.stills.images import load_image

ROOT = Path(__file__).resolve().parents[1]
CALIBRATION = ROOT.parent / "shared" / "data" / "coco128" / "images"
CALIBRATION_IMAGES = 64
KEEP_FLOAT = ("Softmax",)


def plain_float32(model: onnx.ModelProto) -> None:
    """Replace Cast(float16 initializer) by a float32 initializer of the Cast's output."""
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    keep = []
    for node in graph.node:
        to = next((a.i for a in node.attribute if a.name == "to"), None)
        if (
            node.op_type == "Cast"
            and node.input[0] in inits
            and inits[node.input[0]].data_type == onnx.TensorProto.FLOAT16
            and to == onnx.TensorProto.FLOAT
        ):
            value = numpy_helper.to_array(inits[node.input[0]]).astype(np.float32)
            graph.initializer.append(numpy_helper.from_array(value, node.output[0]))
            continue
        keep.append(node)
    del graph.node[:]
    graph.node.extend(keep)
    _drop_unused_initializers(model)


def fold_pads(model: onnx.ModelProto) -> int:
    """Fold each constant spatial Pad feeding only a Conv (pad 0) or MaxPool (pad -inf)."""
    graph = model.graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    folded, drop = 0, set()
    for pad in [n for n in graph.node if n.op_type == "Pad"]:
        users = consumers.get(pad.output[0], [])
        if len(users) != 1 or users[0].op_type not in ("Conv", "MaxPool"):
            continue
        user = users[0]
        mode = next((a.s.decode() for a in pad.attribute if a.name == "mode"), "constant")
        if mode != "constant" or pad.input[1] not in inits:
            continue
        pads = inits[pad.input[1]].astype(np.int64).tolist()
        value = float(inits[pad.input[2]]) if len(pad.input) > 2 and pad.input[2] else 0.0
        expected = 0.0 if user.op_type == "Conv" else -np.inf
        if len(pads) != 8 or any(pads[i] for i in (0, 1, 4, 5)) or value != expected:
            continue
        if any(a.name == "auto_pad" and a.s not in (b"", b"NOTSET") for a in user.attribute):
            continue
        old = next((list(a.ints) for a in user.attribute if a.name == "pads"), [0, 0, 0, 0])
        new = [old[0] + pads[2], old[1] + pads[3], old[2] + pads[6], old[3] + pads[7]]
        for a in list(user.attribute):
            if a.name == "pads":
                user.attribute.remove(a)
        user.attribute.append(helper.make_attribute("pads", new))
        user.input[0] = pad.input[0]
        drop.add(id(pad))
        folded += 1
    keep = [n for n in graph.node if id(n) not in drop]
    del graph.node[:]
    graph.node.extend(keep)
    _drop_unused_initializers(model)
    return folded


def _drop_unused_initializers(model: onnx.ModelProto) -> None:
    used = {name for node in model.graph.node for name in node.input}
    used |= {o.name for o in model.graph.output}
    keep = [i for i in model.graph.initializer if i.name in used]
    del model.graph.initializer[:]
    model.graph.initializer.extend(keep)


class Calibration(CalibrationDataReader):
    """Prepared inputs, fed to the calibrator one at a time."""

    def __init__(self, name: str, batches: list[np.ndarray]) -> None:
        self.inputs = [{name: b} for b in batches]
        self._next = iter(self.inputs)

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._next, None)


def detector_inputs(plain: Path, paths: list[Path]) -> Calibration:
    detector = Detector(plain)
    batches = []
    for path in paths:
        batch = detector.new_batch(1)
        detector.prepare_into(load_image(path), batch[0])
        batches.append(batch)
    return Calibration(detector.model.input_name, batches)


def labelled_crops(path: Path, image: np.ndarray, most: int = 2) -> list[np.ndarray]:
    """Square crops round the largest labelled objects, as the verdict looks at food."""
    labels = path.parent.parent / "labels" / f"{path.stem}.txt"
    height, width = image.shape[:2]
    boxes = []
    for line in labels.read_text().splitlines() if labels.is_file() else []:
        _, cx, cy, w, h = (float(v) for v in line.split())
        boxes.append((w * h, cx * width, cy * height, max(w * width, h * height)))
    crops = []
    for _, cx, cy, side in sorted(boxes, reverse=True)[:most]:
        side = min(max(side, 16.0), width, height)
        x0 = int(min(max(cx - side / 2, 0), width - side))
        y0 = int(min(max(cy - side / 2, 0), height - side))
        crops.append(image[y0 : y0 + int(side), x0 : x0 + int(side)])
    return crops


def classifier_inputs(plain: Path, paths: list[Path]) -> Calibration:
    classifier = Classifier(plain)
    batches = []
    for path in paths:
        image = load_image(path)
        for view in [image, *labelled_crops(path, image)]:
            batch = classifier.new_batch(1)
            classifier.prepare_into(np.ascontiguousarray(view), batch[0])
            batches.append(batch)
    return Calibration(classifier.session.get_inputs()[0].name, batches)


def quantize(
    source: Path,
    out: Path,
    inputs: Callable[[Path, list[Path]], Calibration],
    paths: list[Path],
    keep_float: Sequence[str] = (),
) -> None:
    """`keep_float`: op types left unquantised, by name (the classifier's softmax: uint8
    probabilities step by 1/256, and the verdict reads shares of a few hundredths)."""
    model = onnx.load(source)
    plain_float32(model)
    with tempfile.TemporaryDirectory() as tmp:
        # onnxruntime's own pre-processing folds constants (the classifier's computed Pads
        # become initializers) and infers shapes; then the Pads fold into their convs.
        raw, prepared, plain = (Path(tmp) / n for n in ("raw.onnx", "pre.onnx", "plain.onnx"))
        onnx.save(model, raw)
        quant_pre_process(str(raw), str(prepared), skip_symbolic_shape=True)
        model = onnx.load(prepared)
        folded = fold_pads(model)
        onnx.checker.check_model(model)
        onnx.save(model, plain)
        excluded = [n.name for n in model.graph.node if n.op_type in keep_float]
        ops = Counter(n.op_type for n in model.graph.node)
        quantize_static(
            str(plain),
            str(out),
            inputs(plain, paths),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            calibrate_method=CalibrationMethod.MinMax,
            nodes_to_exclude=excluded,
        )
    quantized = onnx.load(out)
    _drop_unused_initializers(quantized)
    meta = {p.key: p.value for p in model.metadata_props}
    meta["seefood.model"] = meta.get("seefood.model", source.stem) + ", int8"
    meta["seefood.quantized"] = (
        f"from {source.name}: onnxruntime quantize_static, QDQ, per-channel int8 weights, "
        f"uint8 activations, MinMax on {len(paths)} coco128 photos; {folded} Pads folded"
    )
    del quantized.metadata_props[:]
    for key, value in sorted(meta.items()):
        entry = quantized.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(quantized, out)
    print(f"{out}: {out.stat().st_size} bytes, {folded} Pads folded; graph of {dict(ops)}")


def main(out_dir: Path) -> None:
    paths = sorted(CALIBRATION.glob("*.jpg"))[:CALIBRATION_IMAGES]
    if len(paths) < CALIBRATION_IMAGES:
        raise SystemExit(f"needs {CALIBRATION} (see ../shared/README.md)")
    quantize(
        default_model_path(Precision.FP32),
        out_dir / INT8_MODEL_NAME,
        detector_inputs,
        paths,
    )
    quantize(
        default_classifier_path(Precision.FP32),
        out_dir / INT8_CLASSIFIER_NAME,
        classifier_inputs,
        paths,
        keep_float=KEEP_FLOAT,
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "src" / "seefood" / "models")
