"""Make the README's screenshots: the page in headless Chromium, a drawn hot dog as camera.

The dev photos in ../shared are AGPL test data and stay out of the repository, so the camera
here plays a hot dog drawn by this script. Needs Debian's chromium and the test extras.
Usage: python scripts/screenshots.py [OUT_DIR]   (default: docs/)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import uvicorn
from PIL import Image, ImageDraw, ImageFilter
from playwright.sync_api import sync_playwright

from seefood.config import Settings
from seefood.server.app import create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the suite's rigs
from tests.y4m import write_y4m


def drawn_hotdog(angle: float = -8.0, seed: int = 0) -> np.ndarray:
    """A 640x480 drawing of a hot dog on a plate (NanoDet-g: hot dog ~0.28, banana ~0.6)."""
    img = Image.new("RGB", (640, 480), (236, 232, 222))
    ImageDraw.Draw(img).ellipse(
        (40, 300, 600, 470), fill=(250, 250, 250), outline=(210, 210, 205), width=4
    )
    layer = Image.new("RGBA", (640, 480), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    d.rounded_rectangle((90, 200, 560, 330), radius=65, fill=(214, 160, 92))
    d.rounded_rectangle((70, 215, 580, 290), radius=38, fill=(152, 62, 38))
    d.rounded_rectangle((90, 160, 550, 250), radius=60, fill=(226, 178, 110))
    d.rounded_rectangle((100, 230, 540, 255), radius=12, fill=(165, 72, 44))
    d.line(
        [(110 + i * 20, 238 + (8 if i % 2 else -8)) for i in range(22)],
        fill=(245, 200, 30),
        width=7,
        joint="curve",
    )
    layer = layer.rotate(angle, resample=Image.Resampling.BICUBIC, center=(320, 250))
    img.paste(layer, (0, 0), layer)
    noise = np.random.default_rng(seed).normal(0, 6, (480, 640, 3))
    pixels = np.asarray(img.filter(ImageFilter.GaussianBlur(1.2)), dtype=np.float64) + noise
    return np.clip(pixels, 0, 255).astype(np.uint8)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        camera = Path(tmp) / "camera.y4m"
        write_y4m(camera, [drawn_hotdog(seed=i % 3) for i in range(30)])
        config = uvicorn.Config(
            create_app(Settings(ice_host_addresses=["127.0.0.1"])),
            host="127.0.0.1",
            port=0,
            log_level="warning",
        )
        server = uvicorn.Server(config)
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/"
        args = [
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--allow-loopback-in-peer-connection",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={camera}",
        ]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
            for name, options in (
                ("screenshot.jpg", {"viewport": {"width": 960, "height": 860}}),
                (
                    "screenshot-phone.jpg",
                    {
                        "viewport": {"width": 390, "height": 844},
                        "is_mobile": True,
                        "device_scale_factor": 2,
                    },
                ),
            ):
                page = browser.new_page(**options)
                page.goto(url)
                page.click("#start")
                page.wait_for_function(  # a function: the page's CSP allows no eval
                    "() => document.getElementById('verdict').textContent !== ''", timeout=30_000
                )
                time.sleep(3.0)  # steady state, stats filled in
                page.screenshot(path=str(out / name), type="jpeg", quality=82)
                page.click("#stop")
                page.close()
            # Photo mode, with the same drawing as a photo.
            photo = Path(tmp) / "photo.jpg"
            Image.fromarray(drawn_hotdog(seed=1)).save(photo, quality=92)
            page = browser.new_page(viewport={"width": 960, "height": 860})
            page.goto(url)
            page.click("#mode-photo")
            page.set_input_files("#file", str(photo))
            page.wait_for_function(
                "() => document.getElementById('status-text').textContent === 'photo checked'",
                timeout=30_000,
            )
            page.screenshot(path=str(out / "screenshot-photo.jpg"), type="jpeg", quality=82)
            # Reconnecting: live, then the server goes away; the page says so and why.
            page.click("#mode-live")
            page.click("#start")
            page.wait_for_function(
                "() => document.getElementById('verdict').textContent !== ''", timeout=30_000
            )
            server.should_exit = True
            page.wait_for_function(
                "() => document.getElementById('status-text').textContent.includes('unreachable')",
                timeout=30_000,
            )
            page.screenshot(path=str(out / "screenshot-reconnecting.jpg"), type="jpeg", quality=82)
            browser.close()
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    # argparse, so that "--help" prints the usage instead of becoming a folder of screenshots.
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "out_dir",
        nargs="?",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "docs",
        help="where the screenshots go (default: docs/)",
    )
    main(parser.parse_args().out_dir)
