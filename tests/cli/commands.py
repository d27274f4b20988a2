"""The `seefood` command, run as a real process."""

import subprocess
import sys
from pathlib import Path


def seefood(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seefood", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def one_line_error(run: subprocess.CompletedProcess[str], *needles: str) -> None:
    """It failed with status 2 and one line that says why, naming each of `needles`."""
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("seefood: error: "), run.stderr
    assert all(n in lines[0] for n in needles), lines[0]
