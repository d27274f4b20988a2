"""Small and far hot dogs: each verdict source on shrunk and pasted copies of the dev photos.

Builds, in a temporary folder (or --keep DIR), from ../shared/data:
- `64px`: every dev photo shrunk to 64 pixels on its long side (area averaging);
- `pasted25` and `pasted15`: every dev photo shrunk to 25% (15%) of the width of an everyday
  coco128 scene without food, and pasted at a random place (seeded) into it;
then runs what `seefood eval` runs on each, and on the dev photos and coco128 themselves,
and prints one markdown table: recall on the hot dogs, false alarms on the other food (or,
for coco128, on its 127 scenes without a hot dog), per source at its default threshold.

Usage: python scripts/eval_small_far.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from seefood.config import load_settings
from seefood.detection.settings import build_engine
from seefood.detection.verdict import DEFAULT_THRESHOLDS, VerdictSource
from seefood.stills.evaluate import AllSources, labelled_images
from seefood.stills.images import load_image
from seefood.stills.pipeline import detect_files

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
FOOD = range(46, 56)  # COCO's food classes


def _shrink(image: np.ndarray, long_side: int) -> np.ndarray:
    scale = long_side / max(image.shape[:2])
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA))


def _scenes_without_food() -> list[Path]:
    scenes = []
    for image in sorted((SHARED / "coco128" / "images").glob("*.jpg")):
        labels = SHARED / "coco128" / "labels" / f"{image.stem}.txt"
        classes = {int(line.split()[0]) for line in labels.read_text().splitlines() if line}
        if not classes & set(FOOD):
            scenes.append(image)
    return scenes


def build(root: Path) -> dict[str, Path]:
    rng = random.Random(9)
    scenes = _scenes_without_food()
    sets = {"64px": root / "64px", "pasted25": root / "pasted25", "pasted15": root / "pasted15"}
    for label in ("hotdog", "not_hotdog"):
        for i, path in enumerate(sorted((SHARED / "hotdog-dev" / label).glob("*.jpg"))):
            photo = load_image(path)
            out = sets["64px"] / label / f"{path.stem}.png"
            out.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(_shrink(photo, 64)).save(out)
            for name, fraction in (("pasted25", 0.25), ("pasted15", 0.15)):
                scene = load_image(scenes[i % len(scenes)]).copy()
                height, width = scene.shape[:2]
                small = _shrink(photo, round(width * fraction))
                y = rng.randrange(0, max(1, height - small.shape[0]))
                x = rng.randrange(0, max(1, width - small.shape[1]))
                scene[y : y + small.shape[0], x : x + small.shape[1]] = small
                out = sets[name] / label / f"{path.stem}.jpg"
                out.parent.mkdir(parents=True, exist_ok=True)
                Image.fromarray(scene).save(out, quality=95)
    return sets


def rates(engine: AllSources, root: Path) -> dict[VerdictSource, tuple[float | None, float, int]]:
    """Per source: recall (None without hot dogs), false-alarm rate, false alarms."""
    pos, neg = labelled_images(root)
    scores: dict[Path, dict[str, float]] = {}
    for path, result, _, _ in detect_files(engine, [*pos, *neg]):
        if result is not None:
            scores[path] = dict(result.scores)
    out = {}
    for source in VerdictSource:
        t = DEFAULT_THRESHOLDS[source]
        hits = [scores[p][source.value] >= t for p in pos if p in scores]
        alarms = [scores[p][source.value] >= t for p in neg if p in scores]
        recall = sum(hits) / len(hits) if hits else None
        out[source] = (recall, sum(alarms) / len(alarms), sum(alarms))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="build the sets here and keep them")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="seefood-small-far-"))
    sets = build(root)
    coco = root / "coco128"
    (coco / "not_hotdog").mkdir(parents=True, exist_ok=True)
    for image in sorted((SHARED / "coco128" / "images").glob("*.jpg")):
        if image.stem != "000000000321":
            link = coco / "not_hotdog" / image.name
            if not link.exists():
                link.symlink_to(image)
    engine = AllSources(build_engine(load_settings({})))
    rows = {"dev photos": SHARED / "hotdog-dev", **sets, "coco128 scenes": coco}
    print("| photos | " + " | ".join(f"{s} recall / false alarms" for s in VerdictSource) + " |")
    print("| --- | " + " | ".join("---" for _ in VerdictSource) + " |")
    for name, folder in rows.items():
        cells = []
        for recall, rate, count in rates(engine, folder).values():
            shown = "n/a" if recall is None else f"{recall:.0%}"
            cells.append(f"{shown} / {rate:.1%}" + (f" ({count})" if recall is None else ""))
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
