"""seefood's settings: every section composed, read from `SEEFOOD_*` variables and flags.

Each setting is declared once, in the section beside the code it configures (see
`seefood.setting`); this module only composes them and explains what is wrong with them.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as PydanticSettingsError

from seefood.server.settings import ServerSettings
from seefood.setting import ENV_PREFIX

# Variables of earlier versions, and what replaced them: durations are now in seconds.
RENAMED = {
    f"{ENV_PREFIX}{old}_MS": f"{ENV_PREFIX}{old}_SECONDS"
    for old in (
        "WORKER_DEADLINE",
        "MAX_BATCH_WAIT",
        "CODEL_TARGET",
        "CODEL_INTERVAL",
        "DROP_BACKOFF",
    )
}


class Settings(ServerSettings, BaseSettings):
    """seefood's configuration. Each field `name` is read from `SEEFOOD_NAME`."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")


class SettingsError(ValueError):
    """Settings that cannot be used; one line per problem, naming the flag or variable."""


def load_settings(flags: dict[str, Any]) -> Settings:
    """Settings from `SEEFOOD_*` variables overridden by `flags` (name: value given)."""
    old = [
        f"{name} is now {new} (in seconds)" for name, new in RENAMED.items() if name in os.environ
    ]
    if old:
        raise SettingsError("\n".join(old))
    try:
        return Settings(**flags)
    except ValidationError as exc:
        lines = [_explain(error, flags) for error in exc.errors()]
        raise SettingsError("\n".join(lines)) from None
    except PydanticSettingsError as exc:  # a variable that is not even parseable
        raise SettingsError(str(exc)) from None


_SAID = {
    "less_than_equal": "must be at most {le}",
    "less_than": "must be less than {lt}",
    "greater_than_equal": "must be at least {ge}",
    "greater_than": "must be more than {gt}",
    "float_parsing": "must be a number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_parsing": "must be true or false",
    "literal_error": "must be one of {expected}",
    "json_invalid": "must be a JSON list, or values separated by commas",
}


def _explain(error: Any, flags: dict[str, Any]) -> str:
    if not error["loc"]:  # a rule over several settings: its message says which
        return str(error["msg"]).removeprefix("Value error, ")
    name = str(error["loc"][0])
    where = f"--{name.replace('_', '-')}" if name in flags else f"{ENV_PREFIX}{name.upper()}"
    said = _SAID.get(error["type"])
    ctx = defaultdict(lambda: None, error.get("ctx") or {})
    text = said.format_map(ctx) if said else str(error["msg"]).lower()
    return f"{where}: {text} (got {error.get('input')!r})"
