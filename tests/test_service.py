"""The inference service: streams in, results out, with the real model and metrics."""

import asyncio

from seefood import Detector, load_image
from seefood.broker import Drop
from seefood.frames import ArrayFrame, Frame
from seefood.requestor import Delivered
from seefood.service import InferenceService, Overloaded, ServiceConfig

from .conftest import DEV_SET


def test_stream_results_metrics_and_cleanup(detector: Detector) -> None:
    image = load_image(DEV_SET / "hotdog" / "7974806.jpg")

    async def main() -> None:
        service = InferenceService([detector])
        await service.start()
        got: list[Delivered] = []
        stream = service.open_stream(got.append, stream_id="cam-1")
        assert set(service.streams) == {"cam-1"}
        for _ in range(5):
            stream.put(ArrayFrame(image))
            await asyncio.sleep(0.03)
        for _ in range(100):
            if len(got) >= 3:
                break
            await asyncio.sleep(0.02)
        assert all(d.inference.result.verdict == "hotdog" for d in got)
        reg = service.metrics.registry
        assert reg.get_sample_value("seefood_stream_frames_in_total", {"stream": "cam-1"}) == 5
        out = reg.get_sample_value("seefood_stream_inferences_total", {"stream": "cam-1"})
        assert out is not None and out >= 3
        assert reg.get_sample_value("seefood_streams") == 1
        await stream.close()
        assert service.streams == {}
        assert reg.get_sample_value("seefood_streams") == 0
        assert reg.get_sample_value("seefood_stream_frames_in_total", {"stream": "cam-1"}) is None
        service.open_stream(got.append)  # left open: stop() must close it
        await service.stop()
        assert service.streams == {}

    asyncio.run(main())


def test_one_shot_detect_and_overload(detector: Detector) -> None:
    image = load_image(DEV_SET / "hotdog" / "7974806.jpg")

    async def main() -> tuple[int, int]:
        # A 1 ms target against ~12 ms inferences: a burst must see drops.
        service = InferenceService([detector], ServiceConfig(target=0.001, interval=0.002))
        await service.start()
        inference, sojourn = await service.detect(image)
        assert inference.result.verdict == "hotdog" and sojourn >= 0
        outcomes = await asyncio.gather(
            *(service.detect(image, f"http-{i}") for i in range(20)), return_exceptions=True
        )
        await service.stop()
        overloaded = [o for o in outcomes if isinstance(o, Overloaded)]
        assert all(isinstance(o.drop, Drop) for o in overloaded)
        return len(overloaded), len(outcomes) - len(overloaded)

    dropped, served = asyncio.run(main())
    assert dropped > 0 and served > 0


def test_drops_reach_the_stream(detector: Detector) -> None:
    async def main() -> list[Drop]:
        service = InferenceService([detector], ServiceConfig(target=0.001, interval=0.002))
        await service.start()
        drops: list[Drop] = []

        def on_drop(_frame: Frame, drop: Drop) -> None:
            drops.append(drop)

        image = load_image(DEV_SET / "hotdog" / "7974806.jpg")
        streams = [service.open_stream(lambda d: None, on_drop) for _ in range(6)]
        for _ in range(20):
            for s in streams:
                s.put(ArrayFrame(image))
            await asyncio.sleep(0.02)
        await service.stop()
        return drops

    drops = asyncio.run(main())
    assert drops and all(d.reason == "codel" for d in drops)
