"""`seefood eval`: the report, the curves, and what is missing said before running."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.commands import one_line_error, seefood
from tests.conftest import DEV_SET


def test_eval_json_and_plot_every_source(tmp_path: Path) -> None:
    for label in ("hotdog", "not_hotdog"):
        (tmp_path / label).mkdir()
        for p in sorted((DEV_SET / label).glob("*.jpg"))[:10]:
            (tmp_path / label / p.name).symlink_to(p)
    plot = tmp_path / "pr.png"
    run = seefood(
        "eval", tmp_path, "--json", "--plot", plot, "--verdict", "detector", "--threshold", "0.3"
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert (report["positives"], report["negatives"]) == (10, 10)
    assert report["verdict"] == "detector"
    assert set(report["sources"]) == {"combined", "classifier", "detector"}
    for name, source in report["sources"].items():
        at = source["at_threshold"]
        assert at["tp"] + at["fn"] == 10 and at["fp"] + at["tn"] == 10
        assert len(source["sweep"]) == 19 and 0 <= source["average_precision"] <= 1
        assert at["threshold"] == {"detector": 0.3}.get(name, 0.5), "--threshold: its source"
    assert plot.stat().st_size > 1000


@pytest.mark.slow  # the dev set or a long run: not in the fast tier
def test_eval_table() -> None:
    run = seefood("eval", DEV_SET)
    assert run.returncode == 0, run.stderr
    assert "100 hotdog, 100 not hotdog" in run.stdout
    for source in ("combined", "classifier", "detector"):
        assert source in run.stdout


def test_eval_on_scenes_without_hot_dogs_counts_false_alarms(tmp_path: Path) -> None:
    (tmp_path / "not_hotdog").mkdir()
    for p in sorted((DEV_SET.parent / "coco128" / "images").glob("*.jpg"))[:12]:
        (tmp_path / "not_hotdog" / p.name).symlink_to(p)
    run = seefood("eval", tmp_path, "--json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert (report["positives"], report["negatives"]) == (0, 12)
    combined = report["sources"]["combined"]
    assert combined["at_threshold"]["fp"] == len(combined["false_alarms"])


def test_eval_says_what_is_missing_before_running(tmp_path: Path) -> None:
    one_line_error(seefood("eval", tmp_path / "nosuch"), "no such directory")
    one_line_error(seefood("eval", tmp_path), "needs a not_hotdog/ folder")


def test_eval_plot_without_matplotlib_says_so_before_running(tmp_path: Path) -> None:
    import os

    fake = tmp_path / "fake" / "matplotlib"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('no matplotlib here')")
    env = {**os.environ, "PYTHONPATH": str(fake.parent)}
    run = subprocess.run(
        [sys.executable, "-m", "seefood", "eval", DEV_SET, "--plot", tmp_path / "pr.png"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    one_line_error(run, "--plot needs matplotlib", "pip install")
    assert not (tmp_path / "pr.png").exists()
