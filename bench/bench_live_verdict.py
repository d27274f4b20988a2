"""The live verdict against the stills and against voting on frames, in the same run.

The dev photos, letterboxed to 640x480, each held before the camera for `--seconds` (30
fps, H.264), streamed with `StreamClient` over real WebRTC to the real server on
127.0.0.1, one after another as a camera moving from dish to dish. For each photo it
records every result: the frame's own score, and the server's live verdict
(seefood/live/evidence.py). The baseline is the rule the page used before, run on the
same results: a first verdict after two agreeing frames in a row, a change after 4 of the
last 5. Per photo it counts: the verdict at the end of its time (against the photo's
label, and against the same photo as a still); "flashes" (a hot-dog verdict shown on
other food after it was first called otherwise: what was carried over from the hot dog
before is not counted); and, for the hot dogs, the results until "hotdog" is first shown.
The photos that do worse live than as stills are listed.

With `--approach` each photo is not held but approached: the camera brought from the whole
photo to 2x on its centre over `--seconds`, as a person brings a phone nearer; it then also
prints, of the hot dogs the stills miss, how many end hotdog, and how many other dishes do;
and the ceiling: how many of those missed hot dogs read hotdog on any frame of their
approach as stills, before encoding (no rule over frames calls more of them without calling
hotdog on frames that read otherwise).

It also prints the trade of the line for "hotdog" (ENTER): the live verdict replayed over
the same fresh looks at other values. `--hard` puts the suite's six hardest other dishes
(tests/videos.py) among the other food.

Usage: python bench/bench_live_verdict.py [--photos 40] [--seconds 2] [--approach] [--hard]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import uvicorn

from seefood import load_image
from seefood.client.stream import StreamClient
from seefood.config import Settings
from seefood.detection.hotdog import HotdogEngine
from seefood.detection.settings import build_engine
from seefood.live.evidence import ENTER, LiveVerdict
from seefood.live.ice import use_host_addresses
from seefood.server.app import create_app
from seefood.types import RGBImage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the suite's rigs
from tests.videos import HARD_OTHER_FOOD, letterboxed

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "hotdog-dev"
FPS = 30


class Votes:
    """The page's former rule: two agreeing frames to start, 4 of the last 5 to change."""

    def __init__(self) -> None:
        self.recent: list[str] = []
        self.shown: str | None = None

    def update(self, verdict: str) -> str | None:
        self.recent = [*self.recent, verdict][-5:]
        if self.shown is None:
            if len(self.recent) >= 2 and self.recent[-2] == verdict:
                self.shown = verdict
        elif verdict != self.shown and self.recent.count(verdict) >= 4:
            self.shown = verdict
        return self.shown


def serve(settings: Settings) -> tuple[uvicorn.Server, str]:
    app = create_app(settings, [build_engine(settings)])
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


def held(photo: RGBImage, n: int) -> list[RGBImage]:
    """The photo held still before the camera for `n` frames."""
    return [letterboxed(photo)] * n


def approached(photo: RGBImage, n: int) -> list[RGBImage]:
    """The camera brought nearer over `n` frames: the whole photo, then its centre, to 2x."""
    height, width = photo.shape[:2]
    frames = []
    for i in range(n):
        zoom = 1 + i / max(n - 1, 1)
        w, h = round(width / zoom), round(height / zoom)
        x, y = (width - w) // 2, (height - h) // 2
        frames.append(letterboxed(photo[y : y + h, x : x + w]))
    return frames


def stream(clips: list[list[RGBImage]]) -> list[list[dict[str, Any]]]:
    """Each photo's frames (the same number each), one photo after another, over WebRTC to
    a server on 127.0.0.1: the results of each photo's frames, in order."""
    use_host_addresses(["127.0.0.1"], "127.0.0.1")
    server, url = serve(Settings(ice_host_addresses=["127.0.0.1"]))
    each = len(clips[0])
    seconds = each / FPS

    def frames() -> Iterator[RGBImage]:
        for clip in clips:
            yield from clip
        while True:
            yield clips[-1][-1]

    first_sent: list[int] = []

    def on_message(message: dict[str, Any]) -> None:
        if not first_sent and client._sent_at:
            first_sent.append(next(iter(client._sent_at)))

    client = StreamClient(url, frames(), on_message=on_message)

    async def run() -> list[dict[str, Any]]:
        await client.start()
        await asyncio.sleep(len(clips) * seconds + 1)
        messages = list(client.messages)
        await client.stop()
        return messages

    messages = asyncio.run(run())
    server.should_exit = True
    per_photo: list[list[dict[str, Any]]] = [[] for _ in clips]
    votes = Votes()
    for m in messages:
        if m["type"] != "result":
            continue
        index = round(((m["frame"] - first_sent[0]) % 2**32) / (90_000 / FPS)) // each
        m["voted"] = votes.update(m["verdict"])
        if index < len(clips):
            per_photo[index].append(m)
    return per_photo


def score(
    shown_by: Callable[[dict[str, Any]], str | None],
    labels: list[str],
    stills: list[str],
    per_photo: list[list[dict[str, Any]]],
) -> dict[str, list[float]]:
    """Per photo, what a way of showing the verdict gave (see the module's docstring)."""
    stats: dict[str, list[float]] = {
        "right at the end": [],
        "worse than the still": [],
        "flashes on other food": [],
        "results to hotdog": [],
    }
    for label, still, results in zip(labels, stills, per_photo, strict=True):
        if not results:
            continue
        shown = [shown_by(m) for m in results]
        end = shown[-1]
        stats["right at the end"].append(end == label)
        stats["worse than the still"].append(still == label and end != label)
        if label == "not_hotdog":
            # A flash: "hotdog" shown after this dish had been called otherwise (the
            # verdict carried over from the hot dog before it is not one).
            settled = next((k for k, v in enumerate(shown) if v != "hotdog"), len(shown))
            stats["flashes on other food"].append("hotdog" in shown[settled:])
        elif "hotdog" in shown:
            stats["results to hotdog"].append(shown.index("hotdog") + 1)
    return stats


def worse_live(
    order: list[Path], labels: list[str], stills: list[str], per_photo: list[list[dict[str, Any]]]
) -> list[str]:
    """The photos whose live verdict ended wrong where the still was right."""
    lines = []
    for path, label, still, results in zip(order, labels, stills, per_photo, strict=True):
        if results and still == label and results[-1]["live"]["verdict"] != label:
            scores = sorted(m["hotdog_score"] for m in results)
            lines.append(
                f"{label} {path.name}: still {still}, live ended "
                f"{results[-1]['live']['verdict']}, "
                f"frame scores median {scores[len(scores) // 2]:.2f}"
            )
    return lines


def print_table(rows: dict[str, dict[str, list[float]]]) -> None:
    print(f"{'':24}{'live':>10}{'votes':>10}{'ratio':>8}")
    for name in rows["live"]:
        live, base = rows["live"][name], rows["votes"][name]
        if name == "results to hotdog":
            a = statistics.median(live) if live else float("nan")
            b = statistics.median(base) if base else float("nan")
            label = f"{name} (median)"
        else:
            a, b = float(sum(live)), float(sum(base))
            label = name
        ratio = f"{a / b:.2f}" if b else "-"
        print(f"{label:24}{a:>10g}{b:>10g}{ratio:>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=40, help="of each label")
    parser.add_argument("--seconds", type=float, default=2.0, help="each photo is held")
    parser.add_argument(
        "--approach",
        action="store_true",
        help="bring the camera nearer to each photo (whole to 2x on its centre) instead",
    )
    parser.add_argument(
        "--hard",
        action="store_true",
        help="the suite's six hardest other dishes (tests/videos.py) among the other food",
    )
    args = parser.parse_args()
    names = {
        label: sorted((SHARED / label).glob("*.jpg"))[: args.photos]
        for label in ("hotdog", "not_hotdog")
    }
    if args.hard:
        hard = [SHARED / "not_hotdog" / name for name in HARD_OTHER_FOOD]
        rest = [p for p in names["not_hotdog"] if p not in hard]
        names["not_hotdog"] = (hard + rest)[: args.photos]
    # Alternate the labels: every photo follows one of the other kind.
    order = [p for pair in zip(names["hotdog"], names["not_hotdog"], strict=False) for p in pair]
    originals = [load_image(p) for p in order]
    photos = [letterboxed(photo) for photo in originals]
    engine = build_engine()
    stills: list[str] = [engine.detect(photo).verdict for photo in photos]
    shoot = approached if args.approach else held
    clips = [shoot(photo, round(args.seconds * FPS)) for photo in originals]
    per_photo = stream(clips)
    labels = ["hotdog" if p.parent.name == "hotdog" else "not_hotdog" for p in order]
    rows = {
        "live": score(lambda m: m["live"]["verdict"], labels, stills, per_photo),
        "votes": score(lambda m: m["voted"], labels, stills, per_photo),
    }
    got = sum(len(r) for r in per_photo)
    print(
        f"{len(photos)} photos ({args.photos} of each), {args.seconds:g} s each, "
        f"{got} results ({got / (len(photos) * args.seconds):.1f}/s)"
    )
    right = sum(s == label for s, label in zip(stills, labels, strict=True))
    print(f"stills right: {right} of {len(photos)}")
    print_table(rows)
    for line in worse_live(order, labels, stills, per_photo):
        print("worse live than still:", line)
    print_trade(labels, stills, per_photo)
    if args.approach:
        print_approach(labels, stills, per_photo)
        print_ceiling(engine, labels, stills, clips)


def replayed(per_photo: list[list[dict[str, Any]]], enter: float) -> list[list[dict[str, Any]]]:
    """The live verdict again over the same fresh looks, with ENTER at `enter`: each result
    gets `replayed`, the verdict that rule would have shown. The reuse and glances of the
    run followed the shipped rule, so this is an estimate of another rule, not a run of it."""
    live = LiveVerdict(enter=enter)
    first = next((r[0]["frame"] for r in per_photo if r), 0)
    out = []
    for results in per_photo:
        again = []
        for m in results:
            if not m["reused"] and not m["glanced"]:
                at = ((m["frame"] - first) % 2**32) / 90_000  # RTP time, in seconds
                live.look(m["hotdog_score"], 0.5, at)
            again.append({**m, "replayed": live.verdict})
        out.append(again)
    return out


def print_trade(
    labels: list[str], stills: list[str], per_photo: list[list[dict[str, Any]]]
) -> None:
    """What other lines for "hotdog" (ENTER) would trade on these results: right at the end
    and worse than the still against flashes and the looks it takes."""
    print(f"{'ENTER':>6}{'right':>7}{'worse':>7}{'flashes':>9}{'to hotdog':>11}")
    for enter in (1.5, 2.0, 2.5, ENTER, 3.5):
        stats = score(lambda m: m["replayed"], labels, stills, replayed(per_photo, enter))
        to_hotdog = statistics.median(stats["results to hotdog"] or [float("nan")])
        shipped = " (shipped)" if enter == ENTER else ""
        print(
            f"{enter:>6g}{sum(stats['right at the end']):>7g}"
            f"{sum(stats['worse than the still']):>7g}{sum(stats['flashes on other food']):>9g}"
            f"{to_hotdog:>11g}{shipped}"
        )


def print_ceiling(
    engine: HotdogEngine, labels: list[str], stills: list[str], clips: list[list[RGBImage]]
) -> None:
    """The most any rule over frames could give: of the hot dogs the stills miss, those
    whose approach frames, as stills (before encoding, every fifth), ever read hotdog."""
    ever = 0
    pairs = zip(clips, stills, labels, strict=True)
    missed = [clip for clip, still, label in pairs if label == "hotdog" != still]
    for clip in missed:
        ever += any(engine.detect(frame).verdict == "hotdog" for frame in clip[::5])
    print(f"ceiling: of the {len(missed)} the stills miss, {ever} read hotdog on any frame")


def print_approach(
    labels: list[str], stills: list[str], per_photo: list[list[dict[str, Any]]]
) -> None:
    """What the issue asks of an approach: of the hot dogs the stills miss, how many end
    hotdog once the camera is close; of the other food, how many do (none should)."""
    ends = [r[-1]["live"]["verdict"] if r else None for r in per_photo]
    missed_ends = [
        e for e, s, label in zip(ends, stills, labels, strict=True) if label == "hotdog" != s
    ]
    other_ends = [e for e, label in zip(ends, labels, strict=True) if label == "not_hotdog"]
    hot_ends = [e for e, label in zip(ends, labels, strict=True) if label == "hotdog"]
    wrong_stills = sum(
        e == s == "hotdog" != label for e, s, label in zip(ends, stills, labels, strict=True)
    )
    print(
        f"approach: hot dogs ending hotdog {hot_ends.count('hotdog')} of {len(hot_ends)}; "
        f"of the {len(missed_ends)} the stills miss, {missed_ends.count('hotdog')} end hotdog; "
        f"other food ending hotdog: {other_ends.count('hotdog')} of {len(other_ends)} "
        f"({wrong_stills} of them called hotdog as stills too)"
    )


if __name__ == "__main__":
    main()
