"""The still-image pipeline, the same for `seefood detect` and `POST /v1/detect`.

Decode (a large JPEG at reduced scale, no smaller than the models look at), detect, then
`finish`: boxes back to the full image's pixels and the decode time into the timings. Only
the middle step differs: the CLI runs the engine in batches itself, the server asks its
inference service.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from seefood.detection.engine import Engine
from seefood.detection.result import DetectionResult
from seefood.stills.images import DEFAULT_MAX_PIXELS, ImageError, decode_for_model, load_for_model
from seefood.types import RGBImage, Size


@dataclass(frozen=True, slots=True)
class Still:
    """A decoded still image, possibly at reduced scale, and what it took."""

    image: RGBImage
    size: Size  # the full upright image's (width, height): results are reported in it
    decode_ms: float


def decode_still(
    data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS, at_least: Size | None = None
) -> Still:
    """Decode untrusted bytes; raises ImageError (ImageTooLarge) with a message for people."""
    return _timed(partial(decode_for_model, data, max_pixels=max_pixels, at_least=at_least))


def load_still(
    path: Path, *, max_pixels: int = DEFAULT_MAX_PIXELS, at_least: Size | None = None
) -> Still:
    return _timed(partial(load_for_model, path, max_pixels=max_pixels, at_least=at_least))


def _timed(decode: Callable[[], tuple[RGBImage, Size]]) -> Still:
    t0 = time.perf_counter()
    image, size = decode()
    return Still(image, size, (time.perf_counter() - t0) * 1000)


def reported(still: Still, result: DetectionResult) -> DetectionResult:
    """The result in the full image's pixels, with the decode counted in its timings."""
    full = result.rescaled(*still.size)
    return replace(full, timings=full.timings.added(decode=still.decode_ms))


# What `detect_files` yields per path: its result, or why there is none.
Outcome = tuple[Path, DetectionResult | None, str | None, RGBImage | None]


def detect_files(
    engine: Engine,
    paths: Sequence[Path],
    *,
    batch_size: int = 8,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    full_size: bool = False,
) -> Iterator[Outcome]:
    """Detect on every path in batches, decoding the next images while the model runs.

    Yields (path, result, error, image) in order. At most two batches are decoded ahead, so
    memory stays bounded on huge folders. Large JPEGs decode at a reduced scale unless
    `full_size` (for drawing on them); results are always in the full image's pixels.
    """
    at_least = None if full_size else engine.input_size

    def load(path: Path) -> Still | str:
        try:
            return load_still(path, max_pixels=max_pixels, at_least=at_least)
        except ImageError as exc:
            return str(exc)
        except Exception as exc:  # one bad file must never cost the others their results
            return f"cannot decode: {exc!r}"

    with ThreadPoolExecutor(max_workers=2) as pool:
        ahead: deque[tuple[Path, Future[Still | str]]] = deque()
        todo = iter(paths)
        batch: list[tuple[Path, Still | str]] = []
        while True:
            while len(ahead) < 2 * batch_size and (path := next(todo, None)) is not None:
                ahead.append((path, pool.submit(load, path)))
            if not ahead:
                break
            path, loading = ahead.popleft()
            batch.append((path, loading.result()))
            if len(batch) == batch_size:
                yield from _detect_batch(engine, batch)
                batch = []
        yield from _detect_batch(engine, batch)


def _detect_batch(engine: Engine, batch: list[tuple[Path, Still | str]]) -> Iterator[Outcome]:
    stills = [s for _, s in batch if isinstance(s, Still)]
    results = iter(engine.detect_batch([s.image for s in stills]) if stills else [])
    for path, loaded in batch:
        if isinstance(loaded, str):
            yield path, None, loaded, None
        else:
            yield path, reported(loaded, next(results)), None, loaded.image
