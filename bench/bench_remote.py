"""Inference daemons on another node through Ray, against a local one, in one run.

A Ray cluster on this machine (a head and two worker nodes, each its own raylet and
processes, talking over loopback), the real models everywhere (1 onnxruntime thread per
daemon), 6 synthetic camera streams at 30 fps of 640x480 photos through the real broker,
for three pools: one local daemon; one local + one remote; two remote. Prints per pool:
inferences/s (and its ratio to the local daemon's), Jain's fairness over the streams,
broker sojourn and frame -> result latency p50/p95, and the per-job cost of going remote:
the time from a daemon taking a job to its result, less the models' own stages, next to
the same for the local daemon.

Usage: python bench/bench_remote.py [--seconds 20] [--streams 6]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from ray.cluster_utils import Cluster

from seefood import load_image
from seefood.config import Settings
from seefood.detection.settings import build_engine
from seefood.inference.remote.cluster import WORKER_NODE_ENV, connect, disconnect
from seefood.inference.remote.proxy import RemoteDaemon, WorkerState
from seefood.inference.remote.ray_worker import RayWorker, start_worker
from seefood.inference.remote.reconciler import seefood_nodes
from seefood.inference.remote.worker import model_settings
from seefood.inference.service import InferenceService
from seefood.types import RGBImage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the suite's rigs
from tests.loadgen import LoadReport, percentile, run_load

SHARED = Path(__file__).resolve().parents[2] / "shared"
MEMORY = 150 * 2**20


def frames() -> list[RGBImage]:
    paths = sorted((SHARED / "data" / "hotdog-dev" / "hotdog").glob("*.jpg"))[:24]
    if not paths:
        raise SystemExit("needs ../shared/data/hotdog-dev (see ../shared/README.md)")
    # Camera-sized frames, so that what is encoded and sent is what a live stream sends.
    return [np.asarray(cv2.resize(load_image(p), (640, 480)), dtype=np.uint8) for p in paths]


def remote_pool(actors: list[Any], executor: ThreadPoolExecutor) -> Any:
    async def add(service: InferenceService) -> None:
        daemons = [
            RemoteDaemon(service.broker, RayWorker(actor, executor), name=f"worker-{i}")
            for i, actor in enumerate(actors)
        ]
        for daemon in daemons:
            service.add_daemon(daemon)
        while any(d.state is not WorkerState.SERVING for d in daemons):
            await asyncio.sleep(0.05)

    return add


def row(label: str, r: LoadReport, base: float) -> str:
    overhead = statistics.mean(s - m for s, m in zip(r.service_ms, r.model_ms, strict=True))
    return (
        f"{label:<16}{r.rate:>7.1f}{r.rate / base:>7.2f}{r.jain():>7.3f}"
        f"{r.sojourn_percentile(50) * 1000:>8.1f}{r.sojourn_percentile(95) * 1000:>8.1f}"
        f"{percentile(r.latencies, 50) * 1000:>8.1f}{percentile(r.latencies, 95) * 1000:>8.1f}"
        f"{statistics.mean(r.model_ms):>8.1f}{overhead:>9.1f}"
    )


async def main(seconds: float, streams: int) -> None:
    images = frames()
    t = time.perf_counter()
    os.environ.update(WORKER_NODE_ENV)  # as `seefood worker` starts its node
    cluster = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "object_store_memory": MEMORY, "include_dashboard": False},
    )
    for _ in range(2):
        cluster.add_node(num_cpus=1, resources={"seefood": 1}, object_store_memory=MEMORY)
    connect(cluster.address)
    settings = Settings(threads=1)
    nodes = list(seefood_nodes())
    actors = [start_worker(node, model_settings(settings), 1) for node in nodes]
    executor = ThreadPoolExecutor(2, thread_name_prefix="bench-encode")
    print(f"cluster: head + {len(nodes)} worker nodes up in {time.perf_counter() - t:.1f} s")
    local = build_engine(settings)
    fps = [30.0] * streams
    print(
        f"{streams} streams x 30 fps, 640x480, {seconds:.0f} s per pool, 1 thread per daemon\n"
        f"{'pool':<16}{'inf/s':>7}{'ratio':>7}{'jain':>7}{'soj50':>8}{'soj95':>8}"
        f"{'lat50':>8}{'lat95':>8}{'model':>8}{'overhead':>9}   (ms)"
    )
    pools = [
        ("1 local", [local], None),
        ("1 local+1 remote", [local], remote_pool(actors[:1], executor)),
        ("2 remote", [], remote_pool(actors, executor)),
    ]
    base = None
    for label, engines, add in pools:
        report = await run_load(engines, images, fps, seconds, add_daemons=add, hold=0.5)
        base = base or report.rate
        print(row(label, report, base), flush=True)
    disconnect()
    cluster.shutdown()  # type: ignore[no-untyped-call]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--streams", type=int, default=6)
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.streams))
