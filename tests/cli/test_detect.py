"""`seefood detect`: a table, JSON, annotated copies, and the photos phones take."""

import json
from pathlib import Path

from tests.cli.commands import seefood
from tests.conftest import DEV_SET


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


def test_long_paths_keep_their_end() -> None:
    from seefood.cli.detect import short_path

    assert short_path("a/b.jpg", 30) == "a/b.jpg"
    cut = short_path("../shared/data/hotdog-dev/not_hotdog/916925.jpg", 30)
    assert len(cut) == 30 and cut.endswith("not_hotdog/916925.jpg") and cut.startswith("…")
    assert short_path("x" * 40 + ".jpg", 12) == "…" + ("x" * 40 + ".jpg")[-11:]


def test_detect_reads_iphone_heic_photos_as_their_jpeg_twins(tmp_path: Path) -> None:
    from seefood import load_image
    from tests.conftest import heic_bytes, jpeg_bytes

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
