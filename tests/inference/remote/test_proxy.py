"""A remote worker's proxy against a stand-in remote, on a virtual clock.

The stand-in (not a Ray actor) injects what a real cluster does only now and then: a
worker that dies mid-call, one that hangs past its deadline, one still loading its models,
a corrupt frame. The broker, requestors and service around it are the real ones, and the
broker runs on the loop's virtual clock, so deadlines and back-offs are exact and take no
real time.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence

import numpy as np
import pytest

from seefood.detection.result import DetectionResult, Timings
from seefood.inference.broker import Broker, Drop, Served
from seefood.inference.daemon import Batching
from seefood.inference.metrics import Metrics
from seefood.inference.remote.proxy import (
    RETRY_MAX,
    RemoteDaemon,
    WorkerLost,
    WorkerState,
)
from seefood.inference.remote.wire import BadFrame, WorkerInfo
from seefood.inference.requestor import Delivered
from seefood.inference.requests import ArrayFrame, Frame, Inference, InferenceBroker
from seefood.inference.service import InferenceService
from tests.virtual_time import run_virtual

LATENCY = 0.05  # the stand-in's seconds per call


class CorruptFrame(ArrayFrame):
    """A frame the worker cannot decode."""


class StandInRemote:
    def __init__(self, latency: float = LATENCY) -> None:
        self.latency = latency
        self.up = True  # False: it is dead (calls and pings fail at once)
        self.hang = False  # True: calls and pings never answer
        self.loading = False  # True: pings wait (a new worker loading its models)
        self.calls = 0
        self.pings = 0
        self.calls_while_known_down = 0  # calls after a failed one, before a good ping
        self._known_down = False

    async def ping(self) -> WorkerInfo:
        self.pings += 1
        if not self.up:
            raise WorkerLost("stand-in: dead")
        while self.hang or self.loading:
            await asyncio.sleep(0.01)
        self._known_down = False
        return WorkerInfo(pid=1, host="stand-in", providers="CPU", models={"model": "x"})

    async def infer(self, frames: Sequence[Frame]) -> list[DetectionResult | Exception]:
        self.calls += 1
        if self._known_down:
            self.calls_while_known_down += 1
        if not self.up:
            self._known_down = True
            raise WorkerLost("stand-in: died")
        if self.hang:
            self._known_down = True
            await asyncio.sleep(3600)
        await asyncio.sleep(self.latency)
        return [
            BadFrame("not a JPEG frame")
            if isinstance(f, CorruptFrame)
            else DetectionResult(4, 4, [], 0.0, 0.25, Timings())
            for f in frames
        ]


def frame() -> ArrayFrame:
    return ArrayFrame(np.zeros((4, 4, 3), np.uint8))


def broker(target: float = 0.010) -> InferenceBroker:
    """target=inf: no CoDel drops, for tests where requests must wait out a worker's loss."""
    return Broker(target=target, clock=asyncio.get_running_loop().time)


async def started(daemon: RemoteDaemon) -> asyncio.Task[None]:
    task = asyncio.create_task(daemon.run())
    for _ in range(100):  # until it answered its first ping
        if daemon.state is WorkerState.SERVING:
            return task
        await asyncio.sleep(0.001)
    raise AssertionError("the proxy never started serving")


async def stopped(*tasks: asyncio.Task[None]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def test_serves_requests_and_measures_the_worker() -> None:
    async def main() -> None:
        b = broker()
        metrics = Metrics()
        daemon = RemoteDaemon(b, StandInRemote(), name="w1", metrics=metrics)
        task = await started(daemon)
        outcomes = [await b.ask("s", frame()) for _ in range(5)]
        await stopped(task)
        assert all(isinstance(o, Served) for o in outcomes)
        assert daemon.inferences == 5 and daemon.failures == 0
        assert daemon.info is not None and daemon.info["host"] == "stand-in"
        assert daemon.round_trip == pytest.approx(LATENCY)
        assert daemon.rate.per_second == pytest.approx(1 / LATENCY)  # paces the cameras
        assert metrics.worker_inferences.labels("w1")._value.get() == 5

    run_virtual(main())


def test_a_worker_that_dies_mid_call_gives_the_request_back_and_gets_no_more() -> None:
    async def main() -> None:
        b = broker(math.inf)
        remote, other = StandInRemote(), StandInRemote()
        daemon = RemoteDaemon(b, remote, name="w1")
        task = await started(daemon)
        remote.up = False  # it dies: the next call fails
        first = await b.ask("s0", frame())
        assert isinstance(first, Drop) and first.reason == "worker"
        assert daemon.state is WorkerState.DOWN and daemon.failures == 1
        # Requests made while it is down wait for another daemon; it takes none of them.
        asks = [asyncio.create_task(b.ask(f"s{i}", frame())) for i in range(1, 4)]
        await asyncio.sleep(1.0)
        assert remote.calls == 1 and b.queue_length == 3
        helper = await started(RemoteDaemon(b, other, name="w2"))
        assert all(isinstance(o, Served) for o in await asyncio.gather(*asks))
        assert other.calls == 3 and remote.calls == 1
        # It comes back: pinged until it answers, then serves again.
        remote.up = True
        await asyncio.sleep(RETRY_MAX + LATENCY)
        assert daemon.state.value == "serving"  # (mypy narrowed it to DOWN above)
        await stopped(helper)
        assert isinstance(await b.ask("s9", frame()), Served) and remote.calls == 2
        assert remote.calls_while_known_down == 0
        await stopped(task)

    run_virtual(main())


def test_a_worker_past_its_deadline_counts_as_down_until_it_answers() -> None:
    async def main() -> None:
        b = broker(math.inf)
        remote = StandInRemote()
        daemon = RemoteDaemon(b, remote, name="w1", deadline=0.5)
        task = await started(daemon)
        remote.hang = True
        loop = asyncio.get_running_loop()
        asked = loop.time()
        outcome = await b.ask("s", frame())
        assert isinstance(outcome, Drop) and outcome.reason == "worker"
        assert loop.time() - asked == pytest.approx(0.5)  # the deadline, on the virtual clock
        assert daemon.state is WorkerState.DOWN
        waiting = asyncio.create_task(b.ask("s", frame()))
        await asyncio.sleep(10)
        assert not waiting.done() and remote.calls == 1  # nothing more sent to it
        remote.hang = False
        assert isinstance(await waiting, Served)
        assert remote.calls_while_known_down == 0
        await stopped(task)

    run_virtual(main())


def test_a_worker_still_loading_gets_no_work() -> None:
    async def main() -> None:
        b = broker(math.inf)
        remote = StandInRemote()
        remote.loading = True
        daemon = RemoteDaemon(b, remote, name="w1")
        task = asyncio.create_task(daemon.run())
        waiting = asyncio.create_task(b.ask("s", frame()))
        await asyncio.sleep(30)
        assert daemon.state is WorkerState.STARTING and remote.calls == 0
        assert not waiting.done() and b.waiting_daemons == 0
        remote.loading = False
        assert isinstance(await waiting, Served)
        await stopped(task)

    run_virtual(main())


def test_a_corrupt_frame_fails_alone_and_the_worker_stays_up() -> None:
    async def main() -> None:
        b = broker()
        remote = StandInRemote()
        daemon = RemoteDaemon(b, remote, name="w1", batching=Batching(2))
        asks = [
            asyncio.create_task(b.ask("a", CorruptFrame(np.zeros((4, 4, 3), np.uint8)))),
            asyncio.create_task(b.ask("b", frame())),
        ]
        await asyncio.sleep(0)
        task = await started(daemon)
        bad, good = await asyncio.gather(*asks, return_exceptions=True)
        assert isinstance(bad, BadFrame)
        assert isinstance(good, Served) and good.reply.batch_size == 2
        assert remote.calls == 1 and daemon.state is WorkerState.SERVING
        await stopped(task)

    run_virtual(main())


def test_a_proxy_stopped_mid_call_gives_its_requests_back() -> None:
    async def main() -> None:
        b = broker()
        remote = StandInRemote(latency=10.0)
        daemon = RemoteDaemon(b, remote, name="w1")
        task = await started(daemon)
        asking = asyncio.create_task(b.ask("s", frame()))
        await asyncio.sleep(1.0)
        assert daemon.in_flight == 1
        await stopped(task)  # as the reconciler does when its node leaves
        outcome = await asking
        assert isinstance(outcome, Drop) and outcome.reason == "worker"
        assert daemon.in_flight == 0

    run_virtual(main())


def dead_and_alive(service: InferenceService) -> tuple[StandInRemote, StandInRemote]:
    """A worker that has died since its last answer, serving; a healthy one to add later."""
    dead, alive = StandInRemote(), StandInRemote()
    dead.up = False
    first = RemoteDaemon(service.broker, dead, name="dead")
    first.state = WorkerState.SERVING  # as if it had answered before it died
    service.add_daemon(first)
    return dead, alive


def test_a_stream_given_back_its_request_asks_again_at_once() -> None:
    """Through the service: the stream's requestor re-asks without the overload back-off,
    and the other worker answers one call's time after the first call failed."""

    async def main() -> tuple[list[Delivered[ArrayFrame]], list[Drop], float]:
        loop = asyncio.get_running_loop()
        service = InferenceService([], input_size=(416, 416), clock=loop.time)
        dead, alive = dead_and_alive(service)
        await service.start()
        results: list[Delivered[ArrayFrame]] = []
        drops: list[Drop] = []
        stream = service.open_stream(results.append, lambda _f, d: drops.append(d))
        await asyncio.sleep(0)
        put = loop.time()
        stream.put(frame())
        await asyncio.sleep(0.001)
        service.add_daemon(RemoteDaemon(service.broker, alive, name="alive"))
        while not results:
            await asyncio.sleep(0.001)
        took = loop.time() - put
        await service.stop()
        assert dead.calls == 1 and alive.calls == 1
        return results, drops, took

    results, drops, took = run_virtual(main())
    assert [d.reason for d in drops] == ["worker"]
    assert len(results) == 1
    assert took < LATENCY + 0.01  # re-asked at once: no 25 ms back-off on top


def test_a_one_shot_request_a_worker_gave_back_is_asked_again() -> None:
    """/v1/detect: a worker's death is not the server's overload (no 503)."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        service = InferenceService([], input_size=(416, 416), clock=loop.time)
        dead, alive = dead_and_alive(service)
        await service.start()
        asking = asyncio.create_task(service.detect(np.zeros((4, 4, 3), np.uint8)))
        await asyncio.sleep(0.001)
        service.add_daemon(RemoteDaemon(service.broker, alive, name="alive"))
        delivered = await asking
        assert delivered.inference.result.width == 4
        assert dead.calls == 1 and alive.calls == 1
        await service.stop()

    run_virtual(main())


class InstantRemote(StandInRemote):
    """Answers within the same turn of the loop: a reply and a cancel can land together."""

    async def infer(self, frames: Sequence[Frame]) -> list[DetectionResult | Exception]:
        self.calls += 1
        return [DetectionResult(4, 4, [], 0.0, 0.25, Timings()) for _ in frames]


def test_a_daemon_stopped_as_it_is_handed_a_job_passes_the_job_on() -> None:
    async def main() -> None:
        b = broker(math.inf)
        stopping = asyncio.create_task(b.ask_r())
        await asyncio.sleep(0)
        asking = asyncio.create_task(b.ask("s", frame()))
        await asyncio.sleep(0)  # the job is handed to the waiting daemon...
        stopping.cancel()  # ...which is stopped before it could take it
        await asyncio.gather(stopping, return_exceptions=True)
        job = await b.ask_r()  # the next daemon gets it
        job.reply(Inference(DetectionResult(4, 4, [], 0.0, 0.25, Timings()), 1, 0.0))
        assert isinstance(await asking, Served)

    run_virtual(main())


def test_a_proxy_stopped_while_filling_a_batch_gives_the_jobs_back() -> None:
    async def main() -> None:
        b = broker(math.inf)
        remote = StandInRemote()
        daemon = RemoteDaemon(b, remote, name="w1", batching=Batching(4, 1.0))
        task = await started(daemon)
        asking = asyncio.create_task(b.ask("s", frame()))
        await asyncio.sleep(0.5)  # taken, waiting for more to fill the batch
        await stopped(task)
        assert remote.calls == 0
        other = await started(RemoteDaemon(b, StandInRemote(), name="w2"))
        assert isinstance(await asking, Served)
        await stopped(other)

    run_virtual(main())


@pytest.mark.parametrize("turns", range(6))
def test_a_proxy_stopped_as_its_reply_lands_stops_and_answers_once(turns: int) -> None:
    """Python 3.11's wait_for could swallow such a cancel and leave the proxy running."""

    async def main() -> None:
        b = broker(math.inf)
        remote = InstantRemote()
        daemon = RemoteDaemon(b, remote, name="w1")
        task = await started(daemon)
        asking = asyncio.create_task(b.ask("s", frame()))
        for _ in range(turns):
            await asyncio.sleep(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert task.done()  # stopped, not back in ask_r
        assert b.waiting_daemons == 0
        if not asking.done():  # given back before it was served: another daemon serves it
            other = await started(RemoteDaemon(b, StandInRemote(), name="w2"))
            outcome = await asking
            await stopped(other)
        else:
            outcome = asking.result()
        assert isinstance(outcome, Served | Drop)

    run_virtual(main())


def test_a_worker_failing_every_call_at_once_does_not_take_the_work() -> None:
    """It answers pings but fails each call: the hold-down after each loss, doubling,
    leaves the work to the healthy worker."""

    async def main() -> None:
        b = broker(math.inf)

        class FailsCalls(StandInRemote):
            async def infer(self, frames: Sequence[Frame]) -> list[DetectionResult | Exception]:
                self.calls += 1
                raise WorkerLost("stand-in: restarted under the call")

        bad, good = FailsCalls(), StandInRemote()
        tasks = [
            await started(RemoteDaemon(b, bad, name="bad")),
            await started(RemoteDaemon(b, good, name="good")),
        ]
        served = drops = 0
        for i in range(100):
            outcome = await b.ask(f"s{i % 4}", frame())
            served += isinstance(outcome, Served)
            drops += isinstance(outcome, Drop)
        await stopped(*tasks)
        assert served + drops == 100 and good.calls == served
        assert bad.calls <= 6, f"the failing worker took {bad.calls} of 100 requests"

    run_virtual(main())
