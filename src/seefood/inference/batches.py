"""A batch whose items may fail one by one: run the good ones together, keep each error in
its place. The local daemon, the remote worker and its proxy all batch this way."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeVar

from seefood.detection.engine import Engine
from seefood.detection.memory import CropMemory
from seefood.detection.result import DetectionResult
from seefood.types import RGBImage

T = TypeVar("T")
C = TypeVar("C")
P = TypeVar("P")
R = TypeVar("R")
_END = object()


def good(items: Sequence[P | Exception]) -> list[P]:
    """The items that did not fail, in order: what goes to the model as one batch."""
    return [item for item in items if not isinstance(item, Exception)]


def splice(items: Sequence[P | Exception], results: Iterable[R]) -> list[tuple[P, R] | Exception]:
    """Each good item with its result (`results` in the order of `good(items)`), each failed
    one's error where it was."""
    answers = iter(results)
    spliced: list[tuple[P, R] | Exception] = []
    for item in items:
        if isinstance(item, Exception):
            spliced.append(item)
            continue
        answer = next(answers, _END)
        if answer is _END:
            raise ValueError("fewer results than good items")
        spliced.append((item, answer))  # type: ignore[arg-type]  # not _END: an R
    if next(answers, _END) is not _END:
        raise ValueError("more results than good items")
    return spliced


def convert_each(
    items: Iterable[T], convert: Callable[[T], C]
) -> list[tuple[T, C, float] | Exception]:
    """Each item with what `convert` made of it and the milliseconds that took, or the error
    that failed it alone (a corrupt frame fails its own request only)."""
    out: list[tuple[T, C, float] | Exception] = []
    for item in items:
        t = time.perf_counter()
        try:
            made = convert(item)
        except Exception as exc:
            out.append(exc)
            continue
        out.append((item, made, (time.perf_counter() - t) * 1000))
    return out


def run_good(
    items: Sequence[P | Exception], run: Callable[[list[P]], Sequence[R]]
) -> list[tuple[P, R] | Exception]:
    """The good items run as one batch (not at all when there are none), spliced back."""
    ok = good(items)
    return splice(items, run(ok) if ok else [])


class Remembering(Protocol):
    """An item of a live stream's, or of none (a still)."""

    @property
    def memory(self) -> CropMemory | None: ...


M = TypeVar("M", bound=Remembering)


def detected(engine: Engine, ok: list[tuple[M, RGBImage, float]]) -> list[DetectionResult]:
    """The engine on the converted images in one batch, each with its stream's memory."""
    return engine.detect_batch([image for _, image, _ in ok], [item.memory for item, _, _ in ok])
