"""Live video load: 1..N concurrent `seefood stream` clients against one `seefood serve`.

Server and clients are separate processes on this machine (loopback). The clips are real
hot-dog photos, letterboxed to 640x480 at 30 fps, H.264. Over a steady window (after every
client's first result, until a second before the end) it prints: frames the server
received per second, inferences per second, server latency (frame decoded -> result sent)
p50/p95, the clients' round trip (frame's first RTP packet sent -> result received) p50/p95,
and the server's CPU time per received frame. The clients share the two cores with the
server, which the CPU figure does not include.

Usage: python bench/bench_webrtc.py [--clients 1 2 4 8] [--seconds 12]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np

from seefood import load_image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the suite's rigs
from tests.loadgen import percentile
from tests.y4m import write_y4m

SHARED = Path(__file__).resolve().parents[2] / "shared"
PHOTOS = ["7974806.jpg", "4676422.jpg", "4551906.jpg", "2261197.jpg", "12123655.jpg"]


def clip(path: Path) -> Path:
    frames = []
    for name in PHOTOS:
        image = load_image(SHARED / "data" / "hotdog-dev" / "hotdog" / name)
        scale = min(640 / image.shape[1], 480 / image.shape[0])
        w, h = round(image.shape[1] * scale), round(image.shape[0] * scale)
        canvas = np.zeros((480, 640, 3), np.uint8)
        canvas[(480 - h) // 2 : (480 - h) // 2 + h, (640 - w) // 2 : (640 - w) // 2 + w] = (
            cv2.resize(image, (w, h), interpolation=cv2.INTER_CUBIC)
        )
        frames += [canvas] * 30
    write_y4m(path, frames)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scrape(url: str) -> dict[str, float]:
    text = httpx.get(f"{url}/metrics").text
    out = {}
    for name in ("seefood_frames_total", 'seefood_broker_sojourn_seconds_count{outcome="served"}'):
        m = re.search(re.escape(name) + r" ([0-9.e+]+)", text)
        out[name.split("{")[0]] = float(m.group(1)) if m else 0.0
    return out


def _read(proc: subprocess.Popen[str], sink: list[tuple[float, dict[str, Any]]]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("{"):
            sink.append((time.monotonic(), json.loads(line)))


def run(url: str, pid: int, video: Path, clients: int, seconds: float) -> str:
    """Measure over `seconds` once every client has its first result."""
    command = [
        sys.executable,
        "-m",
        "seefood",
        "stream",
        str(video),
        "--loop",
        "--url",
        url,
        "--duration",
        str(seconds + 10),
        "--ice-address",
        "127.0.0.1",
    ]
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for _ in range(clients)
    ]
    streams: list[list[tuple[float, dict[str, Any]]]] = [[] for _ in procs]
    readers = [
        threading.Thread(target=_read, args=(p, s), daemon=True)
        for p, s in zip(procs, streams, strict=True)
    ]
    for r in readers:
        r.start()
    deadline = time.monotonic() + 60
    while not all(streams) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # past the first key frames
    m0, c0, t0 = scrape(url), cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    m1, c1, t1 = scrape(url), cpu_seconds(pid), time.monotonic()
    for p in procs:
        p.wait(timeout=60)
    for r in readers:
        r.join(timeout=10)
    results = [m for s in streams for t, m in s if t0 <= t <= t1 and m.get("type") == "result"]
    frames = m1["seefood_frames_total"] - m0["seefood_frames_total"]
    inferences = (
        m1["seefood_broker_sojourn_seconds_count"] - m0["seefood_broker_sojourn_seconds_count"]
    )
    server = [m["timings_ms"]["total"] for m in results]
    rtt = [m["rtt_ms"] for m in results if "rtt_ms" in m]
    hotdog = sum(m["verdict"] == "hotdog" for m in results) / max(len(results), 1)
    while httpx.get(f"{url}/healthz").json()["sessions"] and time.monotonic() < deadline + 60:
        time.sleep(0.2)
    return (
        f"{clients:>7}{frames / (t1 - t0):>9.1f}{inferences / (t1 - t0):>9.1f}"
        f"{percentile(server, 50):>8.1f}{percentile(server, 95):>8.1f}"
        f"{percentile(rtt, 50):>8.1f}{percentile(rtt, 95):>8.1f}"
        f"{(c1 - c0) / max(frames, 1) * 1000:>9.2f}{hotdog:>8.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        video = clip(Path(tmp) / "hotdogs.y4m")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "seefood", "serve", "--port", str(port)],
            # All clients come from 127.0.0.1 at once: lift the per-address limits.
            env={
                **os.environ,
                "SEEFOOD_MAX_SESSIONS": "64",
                "SEEFOOD_MAX_CONNECTING": "64",
                "SEEFOOD_MAX_CONNECTING_PER_CLIENT": "64",
                "SEEFOOD_LOG_LEVEL": "warning",
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{url}/healthz").raise_for_status()
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            print(
                f"{args.seconds:g} s per run, 640x480 H.264 at 30 fps per client; ms unless noted"
            )
            print(
                f"{'clients':>7}{'frames/s':>9}{'infer/s':>9}{'srv50':>8}{'srv95':>8}"
                f"{'rtt50':>8}{'rtt95':>8}{'cpu/frm':>9}{'hotdog':>8}"
            )
            for n in args.clients:
                print(run(url, server.pid, video, n, args.seconds), flush=True)
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
