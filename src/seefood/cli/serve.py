"""`seefood serve`: the web app and the HTTP API, on the settings' address."""

from __future__ import annotations

import argparse

from seefood.cli.settings import settings_from


def cmd_serve(args: argparse.Namespace) -> int:
    from seefood.server.run import serve

    try:
        serve(settings_from(args))
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after its graceful shutdown
        return 0
    return 0
