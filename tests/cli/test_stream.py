"""`seefood stream`: what it sends, and the one line that sums up what came back.

A whole run against a real server is tests/cli/test_cli.py's and the WebRTC tests'.
"""

import argparse
from pathlib import Path
from typing import Any

import pytest

from seefood.cli import build_parser
from seefood.cli.stream import _frames, _summary
from seefood.client.reconnect import Outcome


def _args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["stream", *argv])


def test_the_source_is_a_pattern_a_file_or_a_clear_error(tmp_path: Path) -> None:
    frames, fps = _frames(_args("pattern"))
    assert frames is not None and next(frames).shape == (480, 640, 3) and fps == 30
    with pytest.raises(ValueError, match="--passthrough sends a file"):
        _frames(_args("pattern", "--passthrough"))
    with pytest.raises(FileNotFoundError, match="no such video file"):
        _frames(_args(str(tmp_path / "missing.mp4")))


def test_the_summary_counts_results_verdicts_drops_and_the_live_verdict() -> None:
    assert _summary(Outcome()) is None, "nothing sent, nothing received: nothing to sum up"
    messages: list[dict[str, Any]] = [
        {"type": "result", "verdict": "hotdog", "rtt_ms": 90.0},
        {"type": "dropped"},
        {"type": "result", "verdict": "not_hotdog", "rtt_ms": 110.0, "live": {"verdict": "hotdog"}},
    ]
    line = _summary(Outcome(messages=messages, sent=12))
    assert line == (
        "sent 12 frames, 2 results (1 hotdog, 1 not hotdog), 1 drop notices, "
        "live verdict at the end: hotdog, round trip median 110 ms"
    )
