"""Inference daemons with the real model behind a real broker."""

import asyncio
import threading
import time

import numpy as np
import pytest

from seefood import Detector, load_image
from seefood.inference.broker import Broker, Served
from seefood.inference.daemon import Batching, DaemonPool, InferenceDaemon
from seefood.inference.metrics import Metrics
from seefood.inference.requests import ArrayFrame, Frame, Inference
from seefood.types import RGBImage
from tests.conftest import DEV_SET


class CorruptFrame:
    """A frame whose conversion fails, as a broken decoder's output would."""

    arrived = 0.0
    memory = None

    def to_rgb(self) -> RGBImage:
        raise ValueError("corrupt frame")


def _images(n: int) -> list[RGBImage]:
    return [load_image(p) for p in sorted((DEV_SET / "hotdog").glob("*.jpg"))[:n]]


def test_serves_requests_with_the_detector_result(detector: Detector) -> None:
    images = _images(3)

    async def main() -> list[Served[Inference] | object]:
        broker: Broker[Frame, Inference] = Broker()
        pool = DaemonPool([InferenceDaemon(broker, detector)])
        pool.start()
        try:
            return [await broker.ask(f"s{i}", ArrayFrame(img)) for i, img in enumerate(images)]
        finally:
            await pool.stop()

    outcomes = asyncio.run(main())
    for img, outcome in zip(images, outcomes, strict=True):
        assert isinstance(outcome, Served)
        expected = detector.detect(img)
        assert outcome.reply.result.hotdog_score == pytest.approx(expected.hotdog_score, abs=1e-4)
        assert outcome.reply.batch_size == 1
        timings = outcome.reply.result.timings
        # Each is measured, not left at its default of 0 (the upper bound: nothing else ran).
        assert timings.inference > 0 and timings.decode > 0
        assert 0 < timings.queued < timings.total


def test_batches_what_is_queued_and_isolates_a_corrupt_frame(detector: Detector) -> None:
    images = _images(3)
    metrics = Metrics()

    async def main() -> tuple[list[object], InferenceDaemon]:
        broker: Broker[Frame, Inference] = Broker(target=1.0, interval=1.0)
        daemon = InferenceDaemon(broker, detector, batching=Batching(8), metrics=metrics)
        frames: list[Frame] = [
            ArrayFrame(images[0]),
            CorruptFrame(),
            ArrayFrame(images[1]),
            ArrayFrame(images[2]),
        ]
        askers = [asyncio.create_task(broker.ask(f"s{i}", f)) for i, f in enumerate(frames)]
        await asyncio.sleep(0.01)  # all four queued before the daemon starts
        pool = DaemonPool([daemon])
        pool.start()
        try:
            return list(await asyncio.gather(*askers, return_exceptions=True)), daemon
        finally:
            await pool.stop()

    outcomes, daemon = asyncio.run(main())
    assert daemon.runs == 1 and daemon.inferences == 3
    assert isinstance(outcomes[1], ValueError)
    for img, outcome in zip(images, [outcomes[0], outcomes[2], outcomes[3]], strict=True):
        assert isinstance(outcome, Served) and outcome.reply.batch_size == 3
        alone = detector.detect(img)
        assert outcome.reply.result.hotdog_score == pytest.approx(alone.hotdog_score, abs=1e-4)
    batch_count = metrics.registry.get_sample_value("seefood_inference_batch_size_count")
    assert batch_count == 1


def test_stopping_the_pool_leaves_no_thread_behind(detector: Detector) -> None:
    async def main() -> None:
        broker: Broker[Frame, Inference] = Broker()
        pool = DaemonPool(
            [InferenceDaemon(broker, detector, name=f"stoptest-{i}") for i in range(2)]
        )
        pool.start()
        await broker.ask("s", ArrayFrame(np.zeros((64, 64, 3), np.uint8)))
        await pool.stop()
        broker.close()

    asyncio.run(main())
    deadline = time.monotonic() + 5
    while any(t.name.startswith("seefood-stoptest") for t in threading.enumerate()):
        assert time.monotonic() < deadline, [t.name for t in threading.enumerate()]
        time.sleep(0.05)
