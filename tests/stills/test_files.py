from pathlib import Path

from seefood.stills.files import find_images


def test_directories_are_searched_recursively_for_images(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/1.jpg", "a/b/2.PNG", "a/b/notes.txt", "3.webp"):
        (tmp_path / name).write_bytes(b"x")
    found = find_images([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["3.webp", "a/1.jpg", "a/b/2.PNG"]


def test_named_files_are_kept_whatever_their_suffix(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hi")
    assert find_images([notes, tmp_path / "missing.jpg"]) == [notes, tmp_path / "missing.jpg"]
