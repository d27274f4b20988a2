"""The settings a command runs with: `SEEFOOD_*` variables, overridden by its flags.

Every flag here is made from a setting's field (its name, type, default and help), for the
commands the field names: adding a setting to its section adds its flag and its `--help`.
"""

from __future__ import annotations

import argparse
import types
import typing
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from seefood.config import Settings, load_settings
from seefood.setting import ENV_PREFIX


@dataclass(frozen=True)
class Described:
    name: str  # the field's
    variable: str  # SEEFOOD_NAME
    flag: str  # --name
    commands: tuple[str, ...]  # those that take the flag
    default: str  # as a person would say it
    description: str


def _extra(field: FieldInfo) -> dict[str, Any]:
    return field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}


def _default(field: FieldInfo) -> str:
    extra = _extra(field)
    if "shown" in extra:
        return str(extra["shown"])
    value = field.get_default(call_default_factory=True)
    if value is None or value == []:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def describe() -> list[Described]:
    """Every setting, for `--help` and the README."""
    return [
        Described(
            name,
            f"{ENV_PREFIX}{name.upper()}",
            f"--{name.replace('_', '-')}",
            tuple(_extra(field).get("commands", ())),
            _default(field),
            field.description or "",
        )
        for name, field in Settings.model_fields.items()
    ]


def flag_options(field: FieldInfo) -> dict[str, Any]:
    """argparse's keywords for a setting's flag, from the field's type."""
    kind = field.annotation
    if typing.get_origin(kind) in (typing.Union, types.UnionType):  # X | None
        kind = next(a for a in typing.get_args(kind) if a is not type(None))
    if kind is bool:
        return {"action": "store_true", "default": None}
    if isinstance(kind, type) and issubclass(kind, Enum):
        return {"choices": [member.value for member in kind]}
    if kind in (int, float, Path):
        return {"type": kind}
    return {}  # str, and lists written as words


def add_setting_flags(parser: argparse.ArgumentParser, command: str) -> None:
    """A flag for each setting `command` takes; its help names the default and variable."""
    for row in describe():
        if command in row.commands:
            field = Settings.model_fields[row.name]
            help_text = f"{row.description} (default: {row.default}; {row.variable})"
            parser.add_argument(row.flag, help=help_text, **flag_options(field))


def settings_from(args: argparse.Namespace) -> Settings:
    """Raises SettingsError, one line per problem, naming the flag or variable at fault."""
    names = Settings.model_fields
    flags = {k: getattr(args, k) for k in names if getattr(args, k, None) is not None}
    return load_settings(flags)
