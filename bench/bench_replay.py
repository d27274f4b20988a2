"""What one server can serve: N cameras that cost next to nothing, paced and not.

The clients replay an H.264 file of key frames as it is (`seefood stream --passthrough`:
no decode, no encode), all in this process, against `seefood serve` in another; the clip is
five dev hot-dog photos letterboxed to 640x480, a second each, at 30 fps. First the raw
capacity: the shipped engines alone on the clip's decoded frames, as many as the server has
daemons (each in its thread, one frame at a time, with a live stream's memory), with the
server's threads per session and with the cores split among them, in this process with the
server not yet started; the higher is the one the server is measured against. Then for
each N, with the server's pacing off and on, and with results reused for unchanged frames
off and on (each way's baseline, in the same run), over a steady window: results the
clients got per second (answered: fresh or reused), frames the server passed on to
inference per second, inferences per second (and as a share of the raw capacity), frames
per inference, Jain's fairness of the results per client, server latency of the fresh
results (frame decoded -> result sent) p50/p95, the server's CPU time per inference, and
the cores the server and the clients used together.

Usage: python bench/bench_replay.py [--clients 1 2 4 8 16] [--seconds 8] [--pace both]
       [--reuse both]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np

from bench_webrtc import PHOTOS, SHARED, cpu_seconds, free_port, scrape
from seefood import load_image
from seefood.client.replay import PacketTrack, make_replay
from seefood.client.stream import StreamClient
from seefood.config import Settings
from seefood.detection.engine import Engine
from seefood.detection.memory import CropMemory
from seefood.detection.settings import build_engine
from seefood.live.ice import use_host_addresses
from seefood.server.wiring import daemon_threads

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the suite's rigs
from tests.loadgen import jain_index, percentile
from tests.videos import letterboxed


def clip(path: Path) -> Path:
    photos = [
        letterboxed(load_image(SHARED / "data" / "hotdog-dev" / "hotdog" / n)) for n in PHOTOS
    ]
    return make_replay((p for p in photos for _ in range(30)), path)


def raw_capacity(path: Path, daemons: int, threads: int, seconds: float = 5.0) -> float:
    """The engines' inferences/s on the clip's frames: `daemons` engines of `threads` threads
    per session, each in its own thread running one frame at a time with a live stream's
    memory, nothing else running."""
    settings = Settings(threads=threads)
    engines = [build_engine(settings, threads) for _ in range(daemons)]
    with av.open(str(path)) as container:
        frames = [
            np.asarray(f.to_ndarray(format="rgb24"), np.uint8) for f in container.decode(video=0)
        ]
    counts = [0] * len(engines)
    start = threading.Barrier(len(engines) + 1)

    def work(k: int, engine: Engine) -> None:
        memory = CropMemory()
        try:
            engine.detect_batch(frames[:2], [memory, memory])  # warm up
        except BaseException:
            start.abort()  # the others (and the caller) stop waiting, and are told
            raise
        start.wait()
        n, stop = 0, time.perf_counter() + seconds
        while time.perf_counter() < stop:
            engine.detect_batch([frames[n % len(frames)]], [memory])
            n += 1
        counts[k] = n

    workers = [threading.Thread(target=work, args=(k, e)) for k, e in enumerate(engines)]
    for t in workers:
        t.start()
    try:
        start.wait()
    except threading.BrokenBarrierError:
        raise RuntimeError("an engine failed its warm-up run (see the thread's error)") from None
    t0 = time.perf_counter()
    for t in workers:
        t.join()
    return sum(counts) / (time.perf_counter() - t0)


async def measure(url: str, pid: int, path: Path, n: int, seconds: float) -> dict[str, float]:
    clients = [StreamClient(url, PacketTrack(path, loop=True)) for _ in range(n)]
    for c in clients:
        await c.start()
    deadline = time.monotonic() + 60
    while not all(any(m["type"] == "result" for m in c.messages) for c in clients):
        if time.monotonic() > deadline:
            raise RuntimeError("not every client got a result in 60 s")
        await asyncio.sleep(0.1)
    await asyncio.sleep(2.0)  # paces told and followed
    marks = [len(c.messages) for c in clients]
    m0, c0, t0, own0 = scrape(url), cpu_seconds(pid), time.monotonic(), time.process_time()
    await asyncio.sleep(seconds)
    m1, c1, t1, own1 = scrape(url), cpu_seconds(pid), time.monotonic(), time.process_time()
    window = [
        [m for m in c.messages[k:] if m["type"] == "result"]
        for c, k in zip(clients, marks, strict=True)
    ]
    for c in clients:
        await c.stop()
    while httpx.get(f"{url}/healthz").json()["sessions"]:
        await asyncio.sleep(0.2)
    frames = m1["seefood_frames_total"] - m0["seefood_frames_total"]
    served = m1["seefood_broker_sojourn_seconds_count"] - m0["seefood_broker_sojourn_seconds_count"]
    # Latency of fresh results only: a reused one took no model time.
    latency = [m["timings_ms"]["total"] for w in window for m in w if not m.get("reused")]
    answered = sum(len(w) for w in window)
    return {
        "answered/s": answered / (t1 - t0),
        "frames/s": frames / (t1 - t0),
        "infer/s": served / (t1 - t0),
        "frames/inf": frames / max(served, 1),
        "jain": jain_index([len(w) for w in window]),
        "p50": percentile(latency, 50),
        "p95": percentile(latency, 95),
        "cpu/inf": (c1 - c0) / max(served, 1) * 1000,
        "cores": ((c1 - c0) + (own1 - own0)) / (t1 - t0),  # server and clients together
    }


def serve(port: int, pace: bool, reuse: bool) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SEEFOOD_MAX_SESSIONS": "64",
        "SEEFOOD_MAX_CONNECTING": "64",
        "SEEFOOD_MAX_CONNECTING_PER_CLIENT": "64",
        "SEEFOOD_PACE": "true" if pace else "false",
        "SEEFOOD_LIVE_REUSE": "true" if reuse else "false",
        "SEEFOOD_LOG_LEVEL": "warning",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "seefood", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz").raise_for_status()
            return server
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--pace", choices=["off", "on", "both"], default="both")
    parser.add_argument("--reuse", choices=["off", "on", "both"], default="both")
    args = parser.parse_args()
    use_host_addresses(["127.0.0.1"], "127.0.0.1")
    with tempfile.TemporaryDirectory() as tmp:
        path = clip(Path(tmp) / "hotdogs.h264")
        settings, cores = Settings(), os.cpu_count() or 1
        # The server's layout (SEEFOOD_THREADS honoured), and the cores split with none to spare.
        layouts = {(settings.daemons, daemon_threads(settings, settings))}
        if not settings.threads:
            layouts.add((settings.daemons, max(1, cores // settings.daemons)))
        raws = {layout: raw_capacity(path, *layout) for layout in sorted(layouts)}
        capacity = max(raws.values())
        for (daemons, threads), raw in raws.items():
            print(f"raw capacity, {daemons} engines x {threads} threads: {raw:.1f} inferences/s")
        print("(alone, one frame at a time each, this run; 'of raw' is against the higher)")
        print(f"{args.seconds:g} s per run; 640x480 H.264 key frames at 30 fps per client")
        print("answered: results the clients got a second, fresh or reused (SEEFOOD_LIVE_REUSE)")
        print(
            f"{'pace':<5}{'reuse':<6}{'clients':>8}{'answered':>9}{'frames/s':>9}{'infer/s':>9}"
            f"{'of raw':>8}{'frm/inf':>8}{'jain':>7}{'p50 ms':>8}{'p95 ms':>8}{'cpu/inf':>9}"
            f"{'cores':>7}"
        )
        ways = {"off": [False], "on": [True], "both": [False, True]}
        for pace, reuse in itertools.product(ways[args.pace], ways[args.reuse]):
            port = free_port()
            server = serve(port, pace, reuse)
            try:
                for n in args.clients:
                    r: dict[str, Any] = asyncio.run(
                        measure(f"http://127.0.0.1:{port}", server.pid, path, n, args.seconds)
                    )
                    print(
                        f"{'on' if pace else 'off':<5}{'on' if reuse else 'off':<6}{n:>8}"
                        f"{r['answered/s']:>9.1f}{r['frames/s']:>9.1f}"
                        f"{r['infer/s']:>9.1f}{r['infer/s'] / capacity:>8.2f}"
                        f"{r['frames/inf']:>8.2f}{r['jain']:>7.3f}{r['p50']:>8.1f}"
                        f"{r['p95']:>8.1f}{r['cpu/inf']:>9.1f}{r['cores']:>7.2f}",
                        flush=True,
                    )
            finally:
                server.terminate()
                server.wait(30)


if __name__ == "__main__":
    main()
