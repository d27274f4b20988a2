"""Capture -> boxes in Chromium: the page's own figure, with the server's share of it.

`seefood serve` (a subprocess, from this checkout or `--checkout DIR`'s) and headless
Chromium whose fake camera plays hot-dog photos (letterboxed 640x480, 30 fps, each held a
second). Once the page is live it reads the page's stats every half second for
`--seconds`: *capture -> boxes* (frame captured -> its boxes drawn, the page's median over
its last 2 s) and *server* (frame decoded -> result sent). Each configuration runs in the
same run, and the table gives each one's ratio to the first: the detector alone
(SEEFOOD_VERDICT=detector, what the page ran before the classifier stage), then the
combined verdict without and with the reuse of unchanged frames.

Usage: python bench/bench_capture.py [--seconds 20] [--checkout DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from bench_webrtc import clip, free_port

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CONFIGS = {
    "detector alone": {"SEEFOOD_VERDICT": "detector"},
    "combined, reuse off": {"SEEFOOD_LIVE_REUSE": "false"},
    "combined (default)": {},
}
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--allow-loopback-in-peer-connection",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]


def serve(checkout: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "seefood", "serve", "--port", str(port)],
        env={**os.environ, "PYTHONPATH": str(checkout / "src"), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(f"{url}/healthz", timeout=1)
            return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def ms(text: str) -> float | None:
    match = re.match(r"(\d+) ms", text)
    return float(match.group(1)) if match else None


def measure(video: Path, url: str, seconds: float) -> tuple[list[float], list[float]]:
    """The page's capture -> boxes and server figures, sampled every half second."""
    with sync_playwright() as p:
        args = [*ARGS, f"--use-file-for-fake-video-capture={video}"]
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            page.goto(url)
            page.click("#start")
            page.wait_for_function("() => document.body.dataset.status === 'live'", timeout=60_000)
            time.sleep(3.0)  # the page's 2 s window filled with this run's frames
            boxes, server = [], []
            for _ in range(round(seconds * 2)):
                time.sleep(0.5)
                if (b := ms(page.inner_text("#stat-g2g"))) is not None:
                    boxes.append(b)
                if (s := ms(page.inner_text("#stat-server"))) is not None:
                    server.append(s)
            page.click("#stop")
        finally:
            browser.close()
    return boxes, server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--checkout", type=Path, default=ROOT, help="whose server to run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        video = clip(Path(tmp) / "hotdogs.y4m")
        rows = []
        for name, env in CONFIGS.items():
            process, url = serve(args.checkout, env)
            try:
                boxes, server = measure(video, url, args.seconds)
            finally:
                process.terminate()
                process.wait(10)
            rows.append((name, statistics.median(boxes), statistics.median(server)))
    base = rows[0][1]
    print(f"{'':24}{'capture->boxes':>16}{'server':>10}{'ratio':>8}  (medians, ms)")
    for name, boxes_ms, server_ms in rows:
        print(f"{name:24}{boxes_ms:>16.0f}{server_ms:>10.0f}{boxes_ms / base:>8.2f}")


if __name__ == "__main__":
    main()
