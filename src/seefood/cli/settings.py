"""The settings a command runs with: `SEEFOOD_*` variables, overridden by its flags."""

from __future__ import annotations

import argparse

from seefood.config import Settings

# Flags that override a setting of the same name, where a command has them.
_FLAGS = (
    "model",
    "threshold",
    "min_score",
    "threads",
    "batch_size",
    "host",
    "port",
    "https",
    "ssl_certfile",
    "ssl_keyfile",
)


def settings_from(args: argparse.Namespace) -> Settings:
    overrides = {k: getattr(args, k) for k in _FLAGS if getattr(args, k, None) is not None}
    return Settings(**overrides)
