"""The broker's matching, drops, batching and shutdown, on a real event loop."""

import asyncio
import math
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from seefood.inference.broker import Broker, BrokerClosed, Drop, Served

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(asyncio.wait_for(coro, 10))


def test_a_waiting_daemon_takes_a_request_at_once() -> None:
    async def main() -> None:
        broker: Broker[str, str] = Broker()
        daemon = asyncio.create_task(broker.ask_r())
        await asyncio.sleep(0)
        assert broker.waiting_daemons == 1
        asker = asyncio.create_task(broker.ask("s1", "frame"))
        job = await daemon
        assert (job.stream, job.payload, job.sojourn) == ("s1", "frame", 0.0)
        job.reply("boxes")
        outcome = await asker
        assert isinstance(outcome, Served) and outcome.reply == "boxes"

    run(main())


def test_queued_requests_go_in_order_with_their_sojourn() -> None:
    async def main() -> None:
        broker: Broker[str, str] = Broker(target=1.0, interval=1.0)
        askers = [asyncio.create_task(broker.ask(f"s{i}", f"f{i}")) for i in range(3)]
        await asyncio.sleep(0.02)
        assert broker.queue_length == 3
        for i in range(3):
            job = await broker.ask_r()
            assert job.stream == f"s{i}" and job.sojourn >= 0.02
            job.reply(job.payload.upper())
        assert [(await a).reply for a in askers] == ["F0", "F1", "F2"]  # type: ignore[union-attr]

    run(main())


def test_overload_drops_the_head_and_says_how_long_it_waited() -> None:
    async def main() -> None:
        # Nobody serves: after target + interval, CoDel drops the head on its own timer,
        # but never the last request (one daemon serves).
        broker: Broker[str, str] = Broker(target=0.005, interval=0.02)
        askers = [asyncio.create_task(broker.ask(f"s{i}", "f")) for i in range(3)]
        done, _ = await asyncio.wait(askers, timeout=0.5, return_when=asyncio.FIRST_COMPLETED)
        first = done.pop().result()
        assert isinstance(first, Drop) and first.reason == "codel"
        assert first.sojourn >= 0.025
        assert askers[0].done(), "the head is dropped first"
        await asyncio.sleep(0.3)
        assert sum(a.done() for a in askers) == 2 and broker.queue_length == 1
        broker.close()
        with pytest.raises(BrokerClosed):
            await askers[2]

    run(main())


def test_fifo_mode_never_drops() -> None:
    async def main() -> None:
        broker: Broker[str, str] = Broker(target=math.inf)
        askers = [asyncio.create_task(broker.ask("s", "f")) for _ in range(5)]
        await asyncio.sleep(0.2)
        assert not any(a.done() for a in askers) and broker.queue_length == 5
        broker.close()
        await asyncio.gather(*askers, return_exceptions=True)

    run(main())


def test_take_queued_gathers_a_batch() -> None:
    async def main() -> None:
        broker: Broker[int, int] = Broker(target=1.0, interval=1.0)
        askers = [asyncio.create_task(broker.ask(f"s{i}", i)) for i in range(5)]
        await asyncio.sleep(0)
        first = await broker.ask_r()
        rest = broker.take_queued(3)
        assert [j.payload for j in [first, *rest]] == [0, 1, 2, 3]
        assert broker.queue_length == 1
        for job in [first, *rest]:
            job.reply(job.payload * 10)
        assert [(await a).reply for a in askers[:4]] == [0, 10, 20, 30]  # type: ignore[union-attr]
        broker.close()
        await asyncio.gather(*askers, return_exceptions=True)

    run(main())


def test_share_divides_the_live_requests_among_the_daemons_that_serve() -> None:
    async def main() -> None:
        broker: Broker[int, int] = Broker(target=1.0, interval=1.0, serving=2)
        assert broker.share == 1, "one at least, with nothing asked"
        askers = [asyncio.create_task(broker.ask(f"s{i}", i)) for i in range(7)]
        await asyncio.sleep(0)
        assert broker.share == 3, "7 // 2: the odd one rotates through the batches"
        first = await broker.ask_r()
        assert broker.share == 3, "taken or queued, a request is live until it is answered"
        first.reply(0)
        await askers[0]
        assert broker.share == 3
        broker.serving = 0
        assert broker.share == 6, "no daemon serves: nothing is divided"
        broker.close()
        await asyncio.gather(*askers, return_exceptions=True)
        assert broker.share == 1

    run(main())


def test_a_requestor_that_gives_up_leaves_the_queue() -> None:
    async def main() -> None:
        broker: Broker[str, str] = Broker(target=1.0, interval=1.0)
        asker = asyncio.create_task(broker.ask("s", "f"))
        await asyncio.sleep(0)
        asker.cancel()
        await asyncio.gather(asker, return_exceptions=True)
        assert broker.queue_length == 0
        # A job taken just before its requestor left is marked abandoned.
        asker = asyncio.create_task(broker.ask("s", "g"))
        await asyncio.sleep(0)
        job = await broker.ask_r()
        asker.cancel()
        await asyncio.gather(asker, return_exceptions=True)
        assert job.abandoned
        job.reply("ignored")  # no error

    run(main())


def test_failures_reach_the_requestor_and_close_stops_daemons() -> None:
    async def main() -> None:
        broker: Broker[str, str] = Broker()
        daemon = asyncio.create_task(broker.ask_r())
        asker = asyncio.create_task(broker.ask("s", "f"))
        (await daemon).fail(ValueError("corrupt frame"))
        with pytest.raises(ValueError, match="corrupt"):
            await asker
        idle = asyncio.create_task(broker.ask_r())
        await asyncio.sleep(0)
        broker.close()
        with pytest.raises(BrokerClosed):
            await idle
        with pytest.raises(BrokerClosed):
            await broker.ask("s", "late")

    run(main())
