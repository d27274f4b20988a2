"""The `seefood` command, run as a real process."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from seefood.detection.classifier import default_classifier_path
from seefood.detection.model import default_model_path, file_sha256

from .conftest import DEV_SET


def seefood(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seefood", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_detect_json_reports_each_image_and_fails_on_bad_ones(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not an image")
    hotdog = DEV_SET / "hotdog" / "7974806.jpg"
    run = seefood("detect", "--json", hotdog, notes)
    assert run.returncode == 1, run.stderr
    first, second = (json.loads(line) for line in run.stdout.splitlines())
    assert first["path"] == str(hotdog) and first["verdict"] == "hotdog"
    assert first["hotdog_score"] > 0.5
    assert set(first["scores"]) == {"detector", "classifier", "food"}
    assert {"class_id", "class_name", "score", "box", "box_norm", "hotdog"} == set(
        first["detections"][0]
    )
    assert {"width", "height", "timings_ms"} <= set(first)
    assert second == {
        "path": str(notes),
        "error": "not an image: the data is in no format we can decode",
    }


def test_detect_directory_table_and_annotations(tmp_path: Path) -> None:
    src = tmp_path / "photos" / "nested"
    src.mkdir(parents=True)
    names = ["7974806.jpg", "4676422.jpg"]
    for name in names:
        (src / name).write_bytes((DEV_SET / "hotdog" / name).read_bytes())
    (src / "1001773.jpg").write_bytes((DEV_SET / "not_hotdog" / "1001773.jpg").read_bytes())
    out = tmp_path / "annotated"
    run = seefood("detect", tmp_path / "photos", "--annotate", out, "--batch-size", "2")
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("not hotdog") == 1
    assert "3 images: 2 hotdog, 1 not hotdog" in run.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted([*names, "1001773.jpg"])


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
    _one_line_error(seefood("eval", tmp_path / "nosuch"), "no such directory")
    _one_line_error(seefood("eval", tmp_path), "needs a not_hotdog/ folder")


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


def _one_line_error(run: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("seefood: error: "), run.stderr
    assert all(n in lines[0] for n in needles), lines[0]


def test_newcomer_mistakes_get_one_clear_line(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not a model")
    _one_line_error(seefood("serve", "--model", garbage, "--port", "0"), "cannot load")
    notes = tmp_path / "notes.txt"
    notes.write_text("buns, sausages")
    _one_line_error(seefood("stream", notes), "not a video")
    _one_line_error(
        seefood("stream", "pattern", "--url", "http://127.0.0.1:1", "--duration", "2"),
        "cannot reach",
        "connection refused",
    )
    _one_line_error(seefood("detect", "--threshold", "5", notes), "--threshold: must be at most 1")
    _one_line_error(seefood("serve", "--port", "70000"), "--port: must be at most 65535")
    _one_line_error(seefood("worker"), "give the head's address")
    _one_line_error(
        seefood("serve", "--port", "0", "--ray-address", "127.0.0.1:1"),
        "cannot join the Ray cluster at 127.0.0.1:1",
    )
    help_text = seefood("--help").stdout
    assert "PydanticUndefined" not in help_text and "(default: none)" not in help_text


def test_long_paths_keep_their_end() -> None:
    from seefood.cli.detect import short_path

    assert short_path("a/b.jpg", 30) == "a/b.jpg"
    cut = short_path("../shared/data/hotdog-dev/not_hotdog/916925.jpg", 30)
    assert len(cut) == 30 and cut.endswith("not_hotdog/916925.jpg") and cut.startswith("…")
    assert short_path("x" * 40 + ".jpg", 12) == "…" + ("x" * 40 + ".jpg")[-11:]


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
    _one_line_error(run, "--plot needs matplotlib", "pip install")
    assert not (tmp_path / "pr.png").exists()


def test_without_ray_installed_serve_runs_and_says_what_remote_workers_need() -> None:
    """Ray is an extra: nothing imports it unless remote workers are asked for."""
    blocked = "import sys; sys.modules['ray'] = None; "  # as if not installed
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            blocked + "import seefood.server.app, seefood.server.run, seefood.cli; "
            "from seefood.server.app import create_app; create_app(); "
            "sys.exit(seefood.cli.main(['serve', '--port', '0', '--ray-address', 'auto']))",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    _one_line_error(
        run, "remote workers need Ray: from a checkout, pip install -c constraints.txt '.[ray]'"
    )


def test_detect_reads_iphone_heic_photos_as_their_jpeg_twins(tmp_path: Path) -> None:
    from seefood import load_image

    from .conftest import heic_bytes, jpeg_bytes

    for label, name in [("hotdog", "7974806.jpg"), ("not_hotdog", "1001773.jpg")]:
        photo = load_image(DEV_SET / label / name)
        (tmp_path / f"{label}.heic").write_bytes(heic_bytes(photo))
        (tmp_path / f"{label}.jpg").write_bytes(jpeg_bytes(photo, 95))
    run = seefood("detect", "--json", tmp_path)  # found in the directory by their suffix
    assert run.returncode == 0, run.stderr
    verdicts = {
        Path(r["path"]).name: r["verdict"] for r in map(json.loads, run.stdout.splitlines())
    }
    assert verdicts == {
        "hotdog.heic": "hotdog",
        "hotdog.jpg": "hotdog",
        "not_hotdog.heic": "not_hotdog",
        "not_hotdog.jpg": "not_hotdog",
    }
