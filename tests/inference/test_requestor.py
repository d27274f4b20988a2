"""The requestor against a real broker, with a hand-driven daemon (this test plays it)."""

import asyncio

from seefood.detection.result import DetectionResult
from seefood.inference.broker import Broker, Drop
from seefood.inference.requestor import Delivered, Requestor
from seefood.inference.requests import ArrayFrame, Frame, Inference
from seefood.inference.sink import LatestFrameSink
from tests.conftest import noise_image


def _inference(tag: int) -> Inference:
    """A reply as a daemon would send it; `tag` (as the width) tells replies apart."""
    return Inference(DetectionResult(tag, 1, [], 0.0, 0.25), 1, 0.0)


def _frames(n: int) -> list[ArrayFrame]:
    return [ArrayFrame(noise_image(8, 8, seed=i)) for i in range(n)]


def test_one_request_at_a_time_newest_frame_first() -> None:
    async def main() -> None:
        broker: Broker[Frame, Inference] = Broker(target=1.0, interval=1.0)
        sink: LatestFrameSink[ArrayFrame] = LatestFrameSink()
        got: list[Delivered[ArrayFrame]] = []
        requestor = Requestor("s", sink, broker, on_result=got.append)
        task = asyncio.create_task(requestor.run())
        f = _frames(4)
        sink.put(f[0])
        job = await broker.ask_r()
        assert job.payload is f[0]
        # While f0 is in flight, three more arrive: only the newest will be asked for.
        for frame in f[1:]:
            sink.put(frame)
        await asyncio.sleep(0.01)
        assert broker.queue_length == 0, "no second request while one is in flight"
        job.reply(_inference(0))
        job = await broker.ask_r()
        assert job.payload is f[3]
        job.reply(_inference(3))
        await asyncio.sleep(0.01)
        assert [d.inference.result.width for d in got] == [0, 3]
        assert [d.frame for d in got] == [f[0], f[3]]
        assert sink.replaced == 2 and requestor.delivered == 2
        sink.close()
        await asyncio.wait_for(task, 1)

    asyncio.run(main())


def test_a_dropped_request_is_reported_and_retried_with_the_newest_frame() -> None:
    async def main() -> None:
        # No daemon at first: with no daemon serving, CoDel drops the lone request.
        broker: Broker[Frame, Inference] = Broker(target=0.005, interval=0.02, serving=0)
        sink: LatestFrameSink[ArrayFrame] = LatestFrameSink()
        drops: list[Drop] = []
        got: list[Delivered[ArrayFrame]] = []
        requestor = Requestor(
            "s",
            sink,
            broker,
            on_result=got.append,
            on_drop=lambda _f, d: drops.append(d),
            backoff=0.01,
        )
        task = asyncio.create_task(requestor.run())
        f = _frames(2)
        sink.put(f[0])
        while not drops:
            await asyncio.sleep(0.005)
        assert drops[0].sojourn >= 0.025
        sink.put(f[1])  # newer than the dropped one
        job = await asyncio.wait_for(broker.ask_r(), 1)
        assert job.payload is f[1]
        job.reply(_inference(1))
        await asyncio.sleep(0.01)
        assert [d.frame for d in got] == [f[1]] and requestor.dropped >= 1
        sink.close()
        broker.close()
        await asyncio.wait_for(task, 1)

    asyncio.run(main())


def test_a_failed_frame_does_not_stop_the_stream() -> None:
    async def main() -> None:
        broker: Broker[Frame, Inference] = Broker()
        sink: LatestFrameSink[ArrayFrame] = LatestFrameSink()
        got: list[Delivered[ArrayFrame]] = []
        task = asyncio.create_task(Requestor("s", sink, broker, on_result=got.append).run())
        f = _frames(2)
        sink.put(f[0])
        (await broker.ask_r()).fail(ValueError("corrupt"))
        sink.put(f[1])
        (await broker.ask_r()).reply(_inference(7))
        await asyncio.sleep(0.01)
        assert [d.inference.result.width for d in got] == [7]
        sink.close()
        await asyncio.wait_for(task, 1)

    asyncio.run(main())
