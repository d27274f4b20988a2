"""Reusing results for unchanged frames (SEEFOOD_LIVE_REUSE): model time per answered frame
with it on and off, in the same run, on a clip that stands still and one that moves.

One `StreamClient` (aiortc, H.264, 30 fps) against the real server in this process on
127.0.0.1, for `--seconds` each way: "still" is one dev hot-dog photo held (the encoder's
frames differ only by its noise), "moving" the suite's panning clip (a hot dog crossing the
picture, 12 px a frame). Per way: results per second (fresh and reused), model milliseconds
(preprocess + inference + postprocess of the fresh results) per answered frame, and that
as a share of the same clip with reuse off: the cost of a frame against a full inference.

Usage: python bench/bench_reuse.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench_live_verdict import serve
from seefood import load_image
from seefood.client.sources import file_frames
from seefood.client.stream import StreamClient
from seefood.config import Settings
from seefood.live.ice import use_host_addresses
from seefood.types import RGBImage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the suite's clips
from tests.videos import HOTDOGS, letterboxed, panning_video  # noqa: E402
from tests.y4m import write_y4m  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "hotdog-dev"


def still_clip(path: Path) -> Path:
    photo = letterboxed(load_image(SHARED / "hotdog" / HOTDOGS[0]))

    def frames() -> Iterator[RGBImage]:
        for _ in range(60):
            yield photo

    write_y4m(path, frames())
    return path


def run(url: str, clip: Path, seconds: float) -> list[dict[str, Any]]:
    async def main() -> list[dict[str, Any]]:
        client = StreamClient(url, file_frames(clip, loop=True))
        await client.start()
        deadline = time.monotonic() + 60
        while not any(m["type"] == "result" for m in client.messages):
            if time.monotonic() > deadline:
                raise RuntimeError("no result in 60 s")
            await asyncio.sleep(0.1)
        mark = len(client.messages)
        await asyncio.sleep(seconds)
        window = [m for m in client.messages[mark:] if m["type"] == "result"]
        await client.stop()
        return window

    return asyncio.run(main())


def model_ms(message: dict[str, Any]) -> float:
    t = message["timings_ms"]
    return float(t["preprocess"] + t["inference"] + t["postprocess"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    use_host_addresses(["127.0.0.1"], "127.0.0.1")
    with tempfile.TemporaryDirectory() as tmp:
        clips = {
            "still": still_clip(Path(tmp) / "still.y4m"),
            "moving": panning_video(Path(tmp) / "moving.y4m"),
        }
        print(f"{args.seconds:g} s per way, one aiortc client, 640x480 H.264 at 30 fps")
        print(
            f"{'clip':<8}{'reuse':<7}{'answered/s':>11}{'fresh/s':>9}{'reused/s':>10}"
            f"{'model ms/frame':>16}{'of off':>8}"
        )
        for name, clip in clips.items():
            baseline = None
            for reuse in (False, True):
                server, url = serve(Settings(ice_host_addresses=["127.0.0.1"], live_reuse=reuse))
                try:
                    window = run(url, clip, args.seconds)
                finally:
                    server.should_exit = True
                fresh = [m for m in window if not m.get("reused")]
                per_frame = sum(model_ms(m) for m in fresh) / max(len(window), 1)
                if baseline is None:
                    baseline = per_frame
                print(
                    f"{name:<8}{'on' if reuse else 'off':<7}{len(window) / args.seconds:>11.1f}"
                    f"{len(fresh) / args.seconds:>9.1f}"
                    f"{(len(window) - len(fresh)) / args.seconds:>10.1f}"
                    f"{per_frame:>16.1f}{per_frame / baseline:>8.2f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
