"""`seefood model info`: the files, their checksums, and a bad model said in one line."""

import json
import subprocess
import sys
from pathlib import Path

from seefood.detection.classifier import default_classifier_path
from seefood.detection.model import default_model_path, file_sha256
from tests.cli.commands import seefood


def test_model_info() -> None:
    run = seefood("model", "info", "--json")
    assert run.returncode == 0, run.stderr
    info = json.loads(run.stdout)
    assert info["sha256"] == file_sha256(default_model_path())
    assert info["layout"] == "nanodet" and info["input"] == {
        "width": 416,
        "height": 416,
        "batch": "dynamic",
    }
    assert info["classes"] == 80 and "COCO" in info["class_list_source"]
    assert info["verdict"] == "combined" and info["threshold"] == 0.5
    classifier = info["classifier"]
    assert classifier["input"] == {"width": 260, "height": 260}
    assert classifier["sha256"] == file_sha256(default_classifier_path())


def test_model_from_environment_and_bad_model(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "SEEFOOD_MODEL": str(tmp_path / "missing.onnx")}
    run = subprocess.run(
        [sys.executable, "-m", "seefood", "model", "info"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert run.returncode == 2
    assert "model file not found" in run.stderr
