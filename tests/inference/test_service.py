"""The inference service: streams in, results out, with metrics and cleanup."""

import asyncio

from seefood import Detector, load_image
from seefood.inference.broker import Drop
from seefood.inference.requestor import Delivered
from seefood.inference.requests import ArrayFrame
from seefood.inference.service import InferenceService, Overloaded
from seefood.inference.settings import InferenceSettings
from tests.conftest import DEV_SET, noise_image
from tests.engines import FixedTimeEngine


def test_stream_results_metrics_and_cleanup(detector: Detector) -> None:
    """The real model: each frame is put only once the last one's result is back, so the
    count of results does not depend on how fast this machine runs it."""
    image = load_image(DEV_SET / "hotdog" / "7974806.jpg")

    async def main() -> None:
        service = InferenceService([detector])
        await service.start()
        got: list[Delivered[ArrayFrame]] = []
        stream = service.open_stream(got.append, stream_id="cam-1")
        assert service.stream_ids == ["cam-1"]
        for n in range(1, 4):
            stream.put(ArrayFrame(image))
            while len(got) < n:
                await asyncio.sleep(0.01)
        assert all(d.inference.result.verdict == "hotdog" for d in got)
        assert all(d.inference.result.timings.inference > 0 for d in got)
        reg = service.metrics.registry
        assert stream.slot == 0
        assert reg.get_sample_value("seefood_stream_frames_in_total", {"slot": "0"}) == 3
        out = reg.get_sample_value("seefood_stream_inferences_total", {"slot": "0"})
        assert out == 3
        assert reg.get_sample_value("seefood_streams") == 1
        await stream.close()
        assert service.stream_ids == []
        assert reg.get_sample_value("seefood_streams") == 0
        assert reg.get_sample_value("seefood_stream_frames_in_total", {"slot": "0"}) is None
        kept = service.open_stream(got.append)  # left open: stop() must close it
        second = service.open_stream(got.append)
        assert (kept.slot, second.slot) == (0, 1), "slots are reused, lowest first"
        await kept.close()
        assert service.open_stream(got.append).slot == 0
        await service.stop()
        assert service.stream_ids == []

    asyncio.run(asyncio.wait_for(main(), 60))


def test_one_shot_detect_and_overload() -> None:
    """A 1 ms CoDel target against a 20 ms stand-in: a burst of 20 must see drops."""

    async def main() -> tuple[int, int]:
        engine = FixedTimeEngine(0.020)
        service = InferenceService(
            [engine], InferenceSettings(codel_target_seconds=0.001, codel_interval_seconds=0.002)
        )
        await service.start()
        delivered = await service.detect(noise_image())
        assert isinstance(delivered.frame, ArrayFrame) and delivered.sojourn >= 0
        outcomes = await asyncio.gather(
            *(service.detect(noise_image(), f"http-{i}") for i in range(20)),
            return_exceptions=True,
        )
        await service.stop()
        overloaded = [o for o in outcomes if isinstance(o, Overloaded)]
        assert all(isinstance(o.drop, Drop) for o in overloaded)
        return len(overloaded), len(outcomes) - len(overloaded)

    dropped, served = asyncio.run(main())
    assert dropped > 0 and served > 0


def test_drops_reach_the_stream() -> None:
    async def main() -> list[Drop]:
        engine = FixedTimeEngine(0.020)
        service = InferenceService(
            [engine], InferenceSettings(codel_target_seconds=0.001, codel_interval_seconds=0.002)
        )
        await service.start()
        drops: list[Drop] = []

        def on_drop(_frame: ArrayFrame, drop: Drop) -> None:
            drops.append(drop)

        streams = [service.open_stream(lambda d: None, on_drop) for _ in range(6)]
        for _ in range(20):
            for s in streams:
                s.put(ArrayFrame(noise_image()))
            await asyncio.sleep(0.02)
        await service.stop()
        return drops

    drops = asyncio.run(main())
    assert drops and all(d.reason == "codel" for d in drops)
