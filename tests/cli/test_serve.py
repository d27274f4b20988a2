"""`seefood serve`: what it needs, and what it says when an extra is missing."""

import subprocess
import sys

from tests.cli.commands import one_line_error


def test_without_ray_installed_serve_runs_and_says_what_remote_workers_need() -> None:
    """Ray is an extra: nothing imports it unless remote workers are asked for."""
    blocked = "import sys; sys.modules['ray'] = None; "  # as if not installed
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            blocked + "import seefood.server.app, seefood.server.run, seefood.cli; "
            "from seefood.server.app import create_app; create_app(); "
            "sys.exit(seefood.cli.main(['serve', '--port', '0', '--ray-address', 'auto']))",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    one_line_error(
        run, "remote workers need Ray: from a checkout, pip install -c constraints.txt '.[ray]'"
    )
