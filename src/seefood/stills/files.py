"""Finding image files among the paths a user names."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

IMAGE_SUFFIXES = frozenset(
    {
        ".jpg",
        ".jpeg",
        ".png",
        ".webp",
        ".bmp",
        ".gif",
        ".tif",
        ".tiff",
        ".jfif",
        ".heic",
        ".heif",
        ".avif",
    }
)


def find_images(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given (whatever their name), and images found recursively in directories.

    A named file is always included, so that a non-image gets a clear per-file error rather
    than being skipped silently; inside directories only image suffixes are picked up.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                sorted(
                    p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
                )
            )
        else:
            found.append(path)
    return found
