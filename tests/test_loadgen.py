"""Fairness and overload: synthetic streams through the real service, broker and daemons.

The daemon runs a stand-in engine with a fixed service time (see engines.py), so the
overload is the same on any machine: 6 streams at 30 fps ask for 180 inferences/s of a
daemon that serves 100/s.
"""

import asyncio

import pytest

from seefood.inference.settings import InferenceSettings
from tests.conftest import noise_image
from tests.engines import FixedTimeEngine
from tests.loadgen import FIFO, jain_index, percentile, run_load

SERVICE_TIME = 0.010  # seconds per inference: 100/s


def test_jain_index_and_percentile() -> None:
    assert jain_index([5, 5, 5, 5]) == pytest.approx(1.0)
    assert jain_index([1, 0, 0, 0]) == pytest.approx(0.25)
    assert percentile([float(i) for i in range(1, 101)], 95) == pytest.approx(95.05)


def test_unequal_streams_share_one_daemon_fairly() -> None:
    """4 streams at 24/30/60/90 fps ask for twice what the daemon serves: equal shares."""
    engine = FixedTimeEngine(SERVICE_TIME)
    report = asyncio.run(run_load([engine], [noise_image()], [24, 30, 60, 90], 3.0))
    rates = report.rates()
    assert report.jain() >= 0.9, rates
    assert min(rates) >= 0.5 * (sum(rates) / len(rates)), rates


def test_batching_daemons_share_streams_fairly() -> None:
    """Two daemons batching up to four, six streams asking for 1.8x what they serve: a batch
    costs its images' sum, so a daemon that took four streams would serve them at half the
    cadence of one that took two, and those two would come back to it together, again and
    again (the broker's fair share keeps the batches equal: [61, 111, 71, 61, 61, 122]
    before it)."""
    engines = [FixedTimeEngine(0.0, seconds_per_image=0.02) for _ in range(2)]
    settings = InferenceSettings(daemons=2, max_batch=4)
    report = asyncio.run(run_load(engines, [noise_image()], [30.0] * 6, 3.0, settings=settings))
    rates = report.rates()
    assert report.jain() >= 0.97, rates
    assert min(rates) >= 0.6 * max(rates), rates  # 0.5 before; 0.74 on a loaded machine
    assert max(report.batch_sizes) > 1, "the daemons batched"


def test_overload_keeps_delay_bounded_where_fifo_grows() -> None:
    streams = [30.0] * 6
    frames = [noise_image()]
    broker = asyncio.run(run_load([FixedTimeEngine(SERVICE_TIME)], frames, streams, 3.0))
    fifo = asyncio.run(
        run_load([FixedTimeEngine(SERVICE_TIME)], frames, streams, 3.0, settings=FIFO)
    )

    assert sum(s.drops for s in broker.streams) > 0, "overload must be signalled"
    # Bounded: CoDel's interval plus a few service times, not a backlog.
    assert broker.sojourn_percentile(95) <= 0.15, broker.sojourn_percentile(95)
    assert broker.rate >= 0.7 * fifo.rate, (broker.rate, fifo.rate)
    assert fifo.sojourn_percentile(95) >= 5 * broker.sojourn_percentile(95)
    # FIFO's delay keeps growing: the last second's requests waited far longer than the first's.
    early = [s for s, t in zip(fifo.sojourns, fifo.sojourn_times, strict=True) if t < 1.0]
    late = [s for s, t in zip(fifo.sojourns, fifo.sojourn_times, strict=True) if t > 2.0]
    assert sum(late) / len(late) > 1.5 * sum(early) / len(early)
