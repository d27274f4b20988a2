"""How much seefood adds around the model, and what batching buys.

For each model (the shipped NanoDet-g, and YOLOX-nano from ../shared/models when present) on
real photos resized to 640x480, measured in the same run, interleaved, medians of several
rounds:
  raw      onnxruntime `run()` on an already prepared input tensor, per image
  full     seefood from JPEG bytes: decode, letterbox, inference, decode outputs, NMS
  array    seefood from a decoded RGB array (the live-video path: no JPEG decode)
  ratio    full / raw and array / raw (aim: under 1.15)
and batch throughput in images/s for detect_batch at several batch sizes.

Usage: python bench/bench_detector.py [--rounds 7] [--images 16] [--threads N]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from seefood import Detector, decode_image
from seefood.detection.model import default_model_path
from seefood.detection.runtime import Runtime
from seefood.types import RGBImage

SHARED = Path(__file__).resolve().parents[2] / "shared"


def photos(count: int) -> list[bytes]:
    paths = sorted((SHARED / "data" / "hotdog-dev" / "hotdog").glob("*.jpg"))[:count]
    if not paths:
        raise SystemExit("needs ../shared/data/hotdog-dev (see ../shared/README.md)")
    out = []
    for p in paths:
        buf = io.BytesIO()
        Image.open(p).convert("RGB").resize((640, 480), Image.Resampling.BICUBIC).save(
            buf, "JPEG", quality=90
        )
        out.append(buf.getvalue())
    return out


def per_item_ms(fn: Callable[[int], object], n: int) -> float:
    t0 = time.perf_counter()
    for i in range(n):
        fn(i)
    return (time.perf_counter() - t0) * 1000 / n


def bench_model(path: Path, jpegs: list[bytes], rounds: int, threads: int | None) -> None:
    det = Detector(path, runtime=Runtime(threads, spinning=True))  # the model alone
    arrays: list[RGBImage] = [decode_image(b) for b in jpegs]
    n = len(jpegs)
    prepared = det.new_batch(n)
    for i, img in enumerate(arrays):
        det.prepare_into(img, prepared[i])
    singles = [prepared[i : i + 1] for i in range(n)]
    for i in range(n):  # warm-up
        det.model.run(singles[i])
        det.detect(arrays[i])

    raw, full, array = [], [], []
    for _ in range(rounds):
        raw.append(per_item_ms(lambda i: det.model.run(singles[i]), n))
        full.append(per_item_ms(lambda i: det.detect(decode_image(jpegs[i])), n))
        array.append(per_item_ms(lambda i: det.detect(arrays[i]), n))
    r, f, a = statistics.median(raw), statistics.median(full), statistics.median(array)
    stages = {k: 0.0 for k in ("preprocess", "inference", "postprocess")}
    decode_ms = statistics.median(
        [per_item_ms(lambda i: decode_image(jpegs[i]), n) for _ in range(3)]
    )
    for image in arrays:
        for k in stages:
            stages[k] += getattr(det.detect(image).timings, k) / n

    width, height = det.model.input_size
    batch = "dynamic" if det.model.batchable else 1
    print(f"\n## {path.name} ({det.model.layout}, input {width}x{height}, batch {batch})")
    print(f"{'raw run() ms/img':<34}{r:8.2f}")
    print(f"{'seefood from JPEG ms/img':<34}{f:8.2f}   ratio {f / r:5.3f}")
    print(f"{'seefood from RGB array ms/img':<34}{a:8.2f}   ratio {a / r:5.3f}")
    print(f"{'  of which JPEG decode':<34}{decode_ms:8.2f}")
    for k, v in stages.items():
        print(f"{'  of which ' + k:<34}{v:8.2f}")

    bench_batches(det, arrays, prepared, rounds)


def bench_batches(det: Detector, arrays: list[RGBImage], prepared: np.ndarray, rounds: int) -> None:
    """Images a second in batches of 1-8: the model's run alone and seefood's whole path."""
    n = len(arrays)
    print(f"{'batch':>6} {'raw img/s':>10} {'seefood img/s':>14}")
    for size in (1, 2, 4, 8):
        if size > n:
            break
        chunks = [arrays[i : i + size] for i in range(0, n - size + 1, size)]
        tensors = [prepared[i : i + size] for i in range(0, n - size + 1, size)]
        raw_rates, rates = [], []
        for _ in range(rounds):
            t0 = time.perf_counter()
            for t in tensors:
                det.infer(t)
            raw_rates.append(len(tensors) * size / (time.perf_counter() - t0))
            t0 = time.perf_counter()
            for c in chunks:
                det.detect_batch(c)
            rates.append(len(chunks) * size / (time.perf_counter() - t0))
        print(f"{size:>6} {statistics.median(raw_rates):>10.1f} {statistics.median(rates):>14.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--images", type=int, default=16)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    jpegs = photos(args.images)
    print(
        f"{len(jpegs)} real photos at 640x480, {args.rounds} rounds, medians; "
        f"onnxruntime threads: {args.threads or 'all cores'}"
    )
    bench_model(default_model_path(), jpegs, args.rounds, args.threads)
    yolox = SHARED / "models" / "yolox_nano.onnx"
    if yolox.exists():
        bench_model(yolox, jpegs, args.rounds, args.threads)
    print(f"\nnumpy {np.__version__}")


if __name__ == "__main__":
    main()
