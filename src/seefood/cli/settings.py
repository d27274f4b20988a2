"""The settings a command runs with: `SEEFOOD_*` variables, overridden by its flags."""

from __future__ import annotations

import argparse

from seefood.config import FLAGS, Settings, load_settings


def settings_from(args: argparse.Namespace) -> Settings:
    """Raises SettingsError, one line per problem, naming the flag or variable at fault."""
    flags = {k: getattr(args, k) for k in FLAGS if getattr(args, k, None) is not None}
    return load_settings(flags)
