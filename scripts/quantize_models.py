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
then checked (tests/detection/test_quantized.py, bench/bench_models.py, scripts/fit_verdict.py); for
the detector also 45 square close-ups (1.5x the box) of the food labelled in all 128, as
the verdict's photos are mostly food filling the frame. The detector's stem (Conv_1, its
LeakyRelu and the MaxPool) stays float. The output is the same bytes on every run with the
same inputs.

The detector, measured by the combined verdict on the 200 dev photos with the int8
classifier (x0 refitted at 3% false alarms; "CV": scripts/fit_verdict.py's 20 x 5-fold
recall; fp32 detector: AP 0.972, CV 86.4% / 3.7%):

- all int8, 64 photos (shipped until now): AP 0.967, CV 80.6% / 3.8% (at the fp32 line,
  84% / 6%). A refitted line does not bring it back.
- one block at a time left in float (CV recall; raw detector ms, fp32 40.5, all int8 11.6,
  on a loaded machine): stem 82.9% (14.2 ms), backbone stage 1 80.8% (19.2), stage 2 83.0%
  (14.6), stage 3 81.4% (15.7), FPN 81.6% (16.0), head's last convs and sigmoids 82.7%
  (16.6), whole head 81.8% (26.9), sigmoids alone 80.6%. The loss is spread over the
  network; stem + stage 2: 83.4%, stem + last head convs: 82.9%.
- the food close-ups added: 81.4% alone, 85.2% / 3.7% with the stem in float (AP 0.971):
  this recipe.
- bias correction (each conv's bias shifted by its output's mean error on the calibration
  photos, in graph order): worse, 77.9% (the head's means are mostly background cells).
- earlier: Percentile (99.99, 99.999) and Entropy ranges, 128 calibration photos, the score
  layers left in float: none better than MinMax.

The dev photos' recall at 3% false alarms moves by up to 7 points when every photo loses a
row or a column of pixels or two, even in fp32 (CV 79.3-86.4% over 4 such shifts and the
photos as they are), so recipes were compared over all 5 too: mean CV recall fp32 83.8%,
this recipe 82.2%, all int8 80.7%. Speed (bench/bench_models.py, both int8 against both
fp32 in one run, a shared 2-core machine): 1.87-2.37x over four runs; the float stem costs
1.6-1.8 ms a detector run (in one run the whole-int8 detector 2.00x, this one 1.87x). With
onnxruntime's QDQ propagation off (detection/model.py DISABLED_OPTIMIZERS: it had moved the
stem's quantisation above its MaxPool, run then on uint8 unvectorised), both int8 measured
2.07-2.30x on a quiet machine, and this recipe is the default.

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
# The detector's stem (first conv, its activation and the max-pool) stays float: of each
# block left in float alone, it won back the most of the verdict's recall per ms.
DETECTOR_FLOAT_NODES = ("Conv_1", "LeakyRelu_2", "MaxPool_4")
COCO_FOOD = range(46, 56)  # banana .. cake, in coco128's 0-based labels


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
    """The photos letterboxed, then close-ups of every labelled food in coco128 (all 128
    photos), as the verdict's food photos fill the frame."""
    detector = Detector(plain)
    batches = []
    views = [load_image(path) for path in paths]
    views += [crop for path in sorted(CALIBRATION.glob("*.jpg")) for crop in food_crops(path)]
    for view in views:
        batch = detector.new_batch(1)
        detector.prepare_into(view, batch[0])
        batches.append(batch)
    return Calibration(detector.model.input_name, batches)


def food_crops(path: Path) -> list[np.ndarray]:
    """Square crops, 1.5 times the longer side of each labelled food box of at least 1% of
    the photo, moved inside it."""
    labels = path.parent.parent / "labels" / f"{path.stem}.txt"
    if not labels.is_file():
        return []
    image = load_image(path)
    height, width = image.shape[:2]
    crops = []
    for line in labels.read_text().splitlines():
        label, cx, cy, w, h = (float(v) for v in line.split())
        if int(label) not in COCO_FOOD or w * h < 0.01:
            continue
        side = min(max(w * width, h * height) * 1.5, width, height)
        x0 = int(min(max(cx * width - side / 2, 0), width - side))
        y0 = int(min(max(cy * height - side / 2, 0), height - side))
        crops.append(np.ascontiguousarray(image[y0 : y0 + int(side), x0 : x0 + int(side)]))
    return crops


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
    float_nodes: Sequence[str] = (),
) -> None:
    """`keep_float`: op types left unquantised, by name (the classifier's softmax: uint8
    probabilities step by 1/256, and the verdict reads shares of a few hundredths);
    `float_nodes`: nodes left unquantised, by name."""
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
        excluded = [
            n.name for n in model.graph.node if n.op_type in keep_float or n.name in float_nodes
        ]
        missing = set(float_nodes) - {n.name for n in model.graph.node}
        if missing:
            raise SystemExit(f"{source.name} has no nodes {sorted(missing)}")
        ops = Counter(n.op_type for n in model.graph.node)
        calibration = inputs(plain, paths)
        quantize_static(
            str(plain),
            str(out),
            calibration,
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
    if float_nodes:  # the detector's recipe: its calibration has food close-ups too
        meta["seefood.quantized"] += (
            f"; {len(calibration.inputs) - len(paths)} close-ups of coco128's labelled food "
            f"added to the calibration; left float: {', '.join(float_nodes)}"
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
        float_nodes=DETECTOR_FLOAT_NODES,
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
