import asyncio

import pytest

from seefood.inference.sink import LatestFrameSink, SinkClosed


def test_keeps_only_the_newest_frame_and_counts_replacements() -> None:
    async def main() -> None:
        sink: LatestFrameSink[int] = LatestFrameSink()
        assert sink.put(1) is False
        assert sink.put(2) is True and sink.put(3) is True
        assert (sink.frames_in, sink.replaced) == (3, 2)
        assert await sink.get() == 3
        assert not sink.pending

    asyncio.run(main())


def test_get_waits_for_a_frame() -> None:
    async def main() -> None:
        sink: LatestFrameSink[str] = LatestFrameSink()
        getter = asyncio.create_task(sink.get())
        await asyncio.sleep(0.01)
        assert not getter.done()
        sink.put("frame")
        assert await asyncio.wait_for(getter, 1) == "frame"

    asyncio.run(main())


def test_put_back_yields_to_a_newer_frame() -> None:
    async def main() -> None:
        sink: LatestFrameSink[str] = LatestFrameSink()
        sink.put_back("old")
        assert await sink.get() == "old"
        sink.put("new")
        sink.put_back("old")
        assert await sink.get() == "new"

    asyncio.run(main())


def test_close_wakes_a_waiting_getter() -> None:
    async def main() -> None:
        sink: LatestFrameSink[str] = LatestFrameSink()
        getter = asyncio.create_task(sink.get())
        await asyncio.sleep(0)
        sink.close()
        with pytest.raises(SinkClosed):
            await asyncio.wait_for(getter, 1)
        assert sink.put("late") is False

    asyncio.run(main())
