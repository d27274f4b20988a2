"""A real Ray cluster on this machine for the remote-worker tests, and cameras to feed it.

`ray.cluster_utils.Cluster` starts a head and worker nodes as separate raylets on one
machine (each node its own processes, talking over loopback as real machines would): the
head hosts the driver (this test process, as `seefood serve` would be) and no worker;
nodes added with the `seefood` resource get one each.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from typing import Any

from seefood.inference.broker import Drop
from seefood.inference.requestor import Delivered
from seefood.inference.requests import ArrayFrame
from seefood.inference.service import InferenceService, InferenceStream
from seefood.types import RGBImage

NODE_MEMORY = 150 * 2**20  # object store per node: frames are small


def start_cluster() -> Any:
    from ray.cluster_utils import Cluster

    from seefood.inference.remote.cluster import WORKER_NODE_ENV, connect

    os.environ.update(WORKER_NODE_ENV)  # the nodes' raylets start from this environment
    cluster = Cluster(
        initialize_head=True,
        head_node_args={
            "num_cpus": 1,
            "object_store_memory": NODE_MEMORY,
            "include_dashboard": False,
        },
    )
    assert connect(cluster.address), "this test process had already joined a Ray cluster"
    return cluster


def add_worker_node(cluster: Any) -> Any:
    return cluster.add_node(num_cpus=1, resources={"seefood": 1}, object_store_memory=NODE_MEMORY)


def stop_cluster(cluster: Any) -> None:
    from seefood.inference.remote.cluster import disconnect

    disconnect()
    cluster.shutdown()


class Cameras:
    """`n` live streams on a service, each sent a new frame every `period` seconds."""

    def __init__(
        self, service: InferenceService, n: int, image: RGBImage, period: float = 1 / 30
    ) -> None:
        self.results: list[list[Delivered[ArrayFrame]]] = [[] for _ in range(n)]
        self.drops: list[list[Drop]] = [[] for _ in range(n)]
        self.streams: list[InferenceStream[ArrayFrame]] = [
            service.open_stream(self.results[i].append, self._dropped(i)) for i in range(n)
        ]
        self._image = image
        self._period = period
        self._feeder = asyncio.create_task(self._feed())

    def _dropped(self, i: int) -> Callable[[ArrayFrame, Drop], None]:
        return lambda _frame, drop: self.drops[i].append(drop)

    async def _feed(self) -> None:
        while True:
            for stream in self.streams:
                stream.put(ArrayFrame(self._image))
            await asyncio.sleep(self._period)

    def counts(self) -> list[int]:
        return [len(r) for r in self.results]

    def worker_drops(self) -> int:
        return sum(d.reason == "worker" for drops in self.drops for d in drops)

    async def until(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"timed out waiting for {what}: {self.counts()}"
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        self._feeder.cancel()
        await asyncio.gather(self._feeder, return_exceptions=True)
        for stream in self.streams:
            await stream.close()
