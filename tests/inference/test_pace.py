"""Pacing: each camera's share of the measured inference rate."""

import asyncio
import math
import time
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from seefood.client.sources import pattern_frames
from seefood.client.stream import StreamClient
from seefood.config import Settings
from seefood.inference.pace import (
    HEADROOM,
    MAX_GAIN,
    MIN_FPS,
    ServiceRate,
    fair_fps,
    water_level,
)
from seefood.live import aiortc_patch
from seefood.live.ice import use_host_addresses
from seefood.server.app import create_app
from tests.conftest import LiveServer
from tests.engines import FixedTimeEngine


def test_a_stream_alone_or_before_any_measurement_keeps_its_own_rate() -> None:
    assert fair_fps(20.0, 1) is None
    assert fair_fps(None, 8) is None
    assert fair_fps(None, 1, cap=5) == 5, "an operator's limit holds even then"


def test_each_stream_gets_its_share() -> None:
    assert fair_fps(20.0, 4) == pytest.approx(20 / 4 * HEADROOM, abs=0.05)
    assert fair_fps(20.0, 8) < fair_fps(20.0, 4)  # type: ignore[operator]
    assert fair_fps(2.0, 16) == MIN_FPS, "never so slow that the verdict goes stale"
    assert fair_fps(20.0, 2, cap=8) == 8


def test_the_rate_is_a_running_mean_of_seconds_per_run_alone() -> None:
    rate = ServiceRate()
    assert rate.per_second is None
    rate.observe(0.1, 2)  # a batch of two in 100 ms
    assert rate.per_second == pytest.approx(20)
    for _ in range(50):
        rate.observe(0.025, 1)
    assert rate.per_second == pytest.approx(40, rel=0.01)
    rate.observe(0.0, 0)  # nothing run: nothing learnt
    assert rate.per_second == pytest.approx(40, rel=0.01)


def test_batches_do_not_raise_the_rate_the_cameras_are_paced_to() -> None:
    # A daemon under load runs what is queued together, cheaper per frame; pacing to that
    # would send the cameras faster as the queue grew. The rate stays the one-at-a-time one.
    rate = ServiceRate()
    rate.observe(0.041, 1)
    for _ in range(50):
        rate.observe(0.118, 4)  # 29.5 ms a frame in fours
    assert rate.per_second == pytest.approx(1 / 0.041)


def test_a_daemon_never_seen_alone_is_read_off_the_line_through_its_batches() -> None:
    rate = ServiceRate()
    rate.observe(0.067, 2)
    rate.observe(0.118, 4)
    assert rate.single == pytest.approx(0.067 - (0.118 - 0.067) / 2)
    rate = ServiceRate()
    rate.observe(0.100, 2)
    rate.observe(0.300, 3)  # a line steeper than the batches' share: never below s(2) / 2
    assert rate.single == pytest.approx(0.05)


def test_a_slow_run_alone_long_ago_does_not_set_the_pace_for_good() -> None:
    rate = ServiceRate()
    rate.observe(0.30, 1)  # a cold first run
    for _ in range(10):
        rate.observe(0.118, 4)
    assert rate.single == pytest.approx(0.118), "never more than a whole batch takes"
    for _ in range(60):
        rate.observe(0.118, 4)
    assert rate.single == pytest.approx(0.118), "batches never raise it past one alone"
    rate.observe(0.041, 1)  # alone again, long after: a new mean, not the stale one's
    assert rate.single == pytest.approx(0.041)


def test_a_line_sloping_down_never_makes_one_request_cost_more_than_a_batch() -> None:
    rate = ServiceRate()
    rate.observe(0.08, 2)
    rate.observe(0.07, 4)  # noise: the batch of four measured faster than the pair
    assert rate.single is not None and rate.single <= 0.07


# End to end: real aiortc peers and the real server, around a stand-in engine of a fixed
# 50 ms an inference (about 20/s), so that the shares are the same on any machine.


@pytest.fixture(scope="module")
def paced_server() -> Iterator[LiveServer]:
    use_host_addresses(["127.0.0.1"], "127.0.0.1")
    settings = Settings(
        ice_host_addresses=["127.0.0.1"],
        max_sessions=8,
        max_connecting=8,
        max_connecting_per_client=8,
    )
    live = LiveServer(create_app(settings, [FixedTimeEngine(0.05)]))
    yield live
    live.stop()
    aiortc_patch.set_host_addresses(None)


async def _until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        await asyncio.sleep(0.1)


async def _sending_rate(client: StreamClient, seconds: float = 3.0) -> float:
    before, t0 = client.track.sent, time.monotonic()
    await asyncio.sleep(seconds)
    return (client.track.sent - before) / (time.monotonic() - t0)


def _paces(client: StreamClient) -> list[float | None]:
    return [m["fps"] for m in client.messages if m["type"] == "pace"]


@pytest.mark.slow  # the dev set or a long run: not in the fast tier
def test_a_camera_slows_down_as_others_join_and_speeds_up_when_they_leave(
    paced_server: LiveServer,
) -> None:
    def client() -> StreamClient:
        return StreamClient(paced_server.url, pattern_frames(320, 240), codec="vp8")

    async def scenario() -> None:
        first = client()
        await first.start()
        try:
            await _until(lambda: len(_paces(first)) > 0 and len(first.messages) > 20)
            assert _paces(first)[-1] is None, "alone: its own rate"
            alone = await _sending_rate(first)
            others = [client() for _ in range(3)]
            for other in others:
                await other.start()
            share = 20 / 4 * HEADROOM * 1.15  # a quarter of ~20/s, and a margin
            # The others join one by one: the pace first told may be a third's, then falls.
            await _until(lambda: (first.track.max_fps or 99) < share)
            await asyncio.sleep(1.0)
            crowded = await _sending_rate(first)
            assert crowded < 0.6 * alone, (alone, crowded)
            # Every camera is told a pace: its share, or up to MAX_GAIN times it where another
            # camera asks for less (a loaded machine's encoder sends below its pace).
            paces = [o.track.max_fps for o in others]
            assert all(p is not None and p <= MAX_GAIN * share for p in paces), paces
            for other in others:
                await other.stop()
            await _until(lambda: first.track.max_fps is None)
            await asyncio.sleep(1.0)
            again = await _sending_rate(first)
            assert again > 1.5 * crowded, (crowded, again)
        finally:
            await first.stop()

    asyncio.run(scenario())


def test_the_water_level_gives_what_light_streams_leave_to_the_others() -> None:
    assert water_level(20.0, [10, 10]) == 10
    assert water_level(20.0, [1, 10, 10, 10]) == pytest.approx(19 / 3)
    assert water_level(20.0, [1, 1]) == math.inf


def test_cameras_whose_frames_are_reused_leave_their_share_to_the_others() -> None:
    """Four cameras on 20 inferences/s: 5 fps each. One held still asks for one inference
    a second: the other three get 19/3. All held still: twice the equal share, no more."""
    equal = fair_fps(20.0, 4)
    assert equal == pytest.approx(5 * HEADROOM, abs=0.05)
    assert fair_fps(20.0, 4, demands=[5, 5, 5, 5]) == equal
    assert fair_fps(20.0, 4, demands=[1, 6, 6, 6]) == pytest.approx(19 / 3 * HEADROOM, abs=0.05)
    assert fair_fps(20.0, 4, demands=[1, 1, 1, 1]) == pytest.approx(MAX_GAIN * 5 * HEADROOM)
    assert fair_fps(20.0, 4, cap=4, demands=[1, 1, 1, 1]) == 4


def test_streams_that_send_nothing_take_no_share() -> None:
    """Sessions still connecting or gone quiet must not slow the cameras that send."""
    from seefood.inference.requests import ArrayFrame
    from seefood.inference.service import InferenceService, InferenceStream

    async def scenario() -> tuple[float | None, float | None]:
        service = InferenceService([FixedTimeEngine(0.05)])
        await service.start()
        try:
            for daemon in service.pool.daemons:
                daemon.rate.observe(0.05, 1)  # 20 inferences/s, as if measured
            streams: list[InferenceStream[ArrayFrame]] = [
                service.open_stream(lambda _: None) for _ in range(4)
            ]
            image = np.zeros((48, 64, 3), np.uint8)
            for _ in range(30):  # each asks for more than its share: 15 frames a second
                streams[0].put(ArrayFrame(image))
            one = service.fair_fps()
            for _ in range(30):
                streams[1].put(ArrayFrame(image))
            two = service.fair_fps()
            return one, two
        finally:
            await service.stop()

    one, two = asyncio.run(scenario())
    assert one is None, "the one camera sending has the daemons to itself"
    assert two == pytest.approx(20 / 2 * HEADROOM, abs=0.1)
