"""Remote workers on a real Ray cluster (three nodes on this machine) with the real models.

What is asserted is behaviour (who serves, fairness, what a worker's death costs), never
speed: the models run at whatever speed this machine's two busy cores allow.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("ray")

from seefood.config import Settings
from seefood.detection.settings import build_engine
from seefood.inference.remote.proxy import WorkerState
from seefood.inference.remote.reconciler import Reconciler
from seefood.inference.remote.worker import model_settings
from seefood.inference.requests import ArrayFrame
from seefood.inference.service import InferenceService
from seefood.types import RGBImage
from tests.inference.test_daemon import CorruptFrame
from tests.loadgen import jain_index
from tests.ray_cluster import Cameras, add_worker_node, start_cluster, stop_cluster

START = 180.0  # seconds a new worker may take to start and load its models on a busy machine


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    cluster = start_cluster()
    yield cluster
    stop_cluster(cluster)


@pytest.fixture()
def nodes(cluster: Any) -> Iterator[list[Any]]:
    """Worker nodes a test adds; removed after it, so that each test starts with none."""
    added: list[Any] = []
    yield added
    for node in added:
        if node in cluster.worker_nodes:
            cluster.remove_node(node)


SETTINGS = model_settings(Settings())


def service_without_local_daemons() -> InferenceService:
    return InferenceService([], input_size=(416, 416))


def test_a_worker_on_a_second_node_serves_streams(
    cluster: Any, nodes: list[Any], hotdog_image: RGBImage
) -> None:
    nodes.append(add_worker_node(cluster))

    async def main() -> None:
        service = service_without_local_daemons()
        await service.start()
        reconciler = Reconciler(service, SETTINGS, poll=0.2)
        reconciler.start()
        cameras = Cameras(service, 3, hotdog_image)
        try:
            await cameras.until(lambda: min(cameras.counts()) >= 3, START, "3 results each")
            (worker,) = reconciler.workers.values()
            assert worker.daemon.state is WorkerState.SERVING
            assert worker.daemon.info is not None
            assert worker.daemon.info["pid"] != os.getpid()
            assert worker.daemon.inferences >= 9
            for results in cameras.results:
                assert all(r.inference.result.verdict == "hotdog" for r in results)
            # Through Ray too, a frame that cannot be converted fails alone, in its place.
            good = ArrayFrame(hotdog_image)
            out = await worker.daemon.remote.infer([good, CorruptFrame(), good])
            assert isinstance(out[1], ValueError)
            assert [r.verdict for r in (out[0], out[2])] == ["hotdog", "hotdog"]  # type: ignore[union-attr]
        finally:
            await cameras.close()
            await reconciler.stop()
            await service.stop()

    asyncio.run(main())


def test_two_workers_share_six_streams_fairly(
    cluster: Any, nodes: list[Any], hotdog_image: RGBImage
) -> None:
    nodes += [add_worker_node(cluster), add_worker_node(cluster)]

    async def main() -> None:
        service = service_without_local_daemons()
        await service.start()
        reconciler = Reconciler(service, SETTINGS, poll=0.2)
        reconciler.start()
        cameras = Cameras(service, 6, hotdog_image)
        try:
            await cameras.until(
                lambda: (
                    len(reconciler.workers) == 2
                    and all(w.daemon.inferences > 0 for w in reconciler.workers.values())
                ),
                START,
                "both workers serving",
            )
            # Fair over a window long enough that CoDel's drops (which make the order a
            # lottery among the waiting streams) and batches of up to four (what is queued
            # when a worker comes back for work) average out: 600 results, 100 each.
            before = cameras.counts()
            worked = [w.daemon.inferences for w in reconciler.workers.values()]
            await cameras.until(lambda: sum(cameras.counts()) - sum(before) >= 600, START, "600")
            served = [n - b for n, b in zip(cameras.counts(), before, strict=True)]
            assert jain_index(served) >= 0.95, served
            shares = [
                w.daemon.inferences - b
                for w, b in zip(reconciler.workers.values(), worked, strict=True)
            ]
            assert min(shares) > 0.2 * sum(shares), f"one worker idled: {shares}"
        finally:
            await cameras.close()
            await reconciler.stop()
            await service.stop()

    asyncio.run(main())


def test_a_killed_worker_fails_only_what_it_held_and_comes_back(
    cluster: Any, nodes: list[Any], hotdog_image: RGBImage
) -> None:
    """A local daemon and a remote one; the remote worker's process is killed mid-call."""
    nodes.append(add_worker_node(cluster))

    async def main() -> None:
        service = InferenceService([build_engine(Settings(threads=1))])
        await service.start()
        # A long deadline: the loss is seen as Ray reports the death, not as a slow call.
        reconciler = Reconciler(service, SETTINGS, poll=0.2, deadline=60)
        reconciler.start()
        cameras = Cameras(service, 4, hotdog_image)
        try:
            await cameras.until(lambda: bool(reconciler.workers), START, "a worker")
            (worker,) = reconciler.workers.values()
            daemon = worker.daemon
            await cameras.until(lambda: daemon.inferences >= 5, START, "the worker serving")
            await cameras.until(lambda: daemon.in_flight > 0, START, "a call in flight")
            assert daemon.info is not None
            old_pid = daemon.info["pid"]
            held = daemon.batching.size  # its call in flight holds a batch at most
            os.kill(old_pid, signal.SIGKILL)
            await cameras.until(
                lambda: (
                    daemon.failures > 0
                    or (daemon.info is not None and daemon.info["pid"] != old_pid)
                ),
                START,
                "the loss seen",
            )
            # While it is down (Ray restarts it, it reloads its models), the local daemon
            # goes on serving every stream.
            during = cameras.counts()
            await cameras.until(
                lambda: all(n > d + 2 for n, d in zip(cameras.counts(), during, strict=True)),
                START,
                "results from the local daemon",
            )
            await cameras.until(
                lambda: daemon.state is WorkerState.SERVING, START, "the worker back"
            )
            assert daemon.info["pid"] != old_pid
            served = daemon.inferences
            await cameras.until(lambda: daemon.inferences >= served + 5, START, "serving again")
            # At most the call it held was lost (a call Ray had not yet sent may wait for
            # the restarted actor instead), and the streams of its requests were told.
            assert daemon.failures <= 1
            drops = cameras.worker_drops()
            assert (drops > 0) == (daemon.failures > 0) and drops <= held * daemon.failures
        finally:
            await cameras.close()
            await reconciler.stop()
            await service.stop()

    asyncio.run(main())


def test_the_reconciler_follows_nodes_leaving_and_joining(
    cluster: Any, nodes: list[Any], hotdog_image: RGBImage
) -> None:
    first = add_worker_node(cluster)
    nodes.append(first)

    async def main() -> None:
        service = InferenceService([build_engine(Settings(threads=1))])
        await service.start()
        reconciler = Reconciler(service, SETTINGS, poll=0.2)
        reconciler.start()
        cameras = Cameras(service, 3, hotdog_image)
        try:
            await cameras.until(
                lambda: any(w.daemon.inferences for w in reconciler.workers.values()),
                START,
                "the first worker serving",
            )
            (gone,) = reconciler.workers.values()
            cluster.remove_node(
                first
            )  # blocks the loop a moment: Ray's helpers need the main thread
            await cameras.until(lambda: not reconciler.workers, START, "the node dropped")
            assert gone.daemon not in service.pool.daemons
            assert service.broker.serving == 1
            during = cameras.counts()
            await cameras.until(
                lambda: all(n > d + 2 for n, d in zip(cameras.counts(), during, strict=True)),
                START,
                "results without it",
            )
            nodes.append(add_worker_node(cluster))
            await cameras.until(
                lambda: any(w.daemon.inferences for w in reconciler.workers.values()),
                START,
                "the new node's worker serving",
            )
            (new,) = reconciler.workers.values()
            assert new.node.id != gone.node.id
            assert new.daemon in service.pool.daemons and service.broker.serving == 2
        finally:
            await cameras.close()
            await reconciler.stop()
            await service.stop()

    asyncio.run(main())
