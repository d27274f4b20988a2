"""How a setting is declared: once, as a field of the section beside the code it configures.

A section is a pydantic model; `seefood.config.Settings` composes them and reads each field
`name` from `SEEFOOD_NAME`; the commands' flags and `--help` are made from the same field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, Field
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "SEEFOOD_"
MODEL_COMMANDS = ("detect", "eval", "model info", "serve")  # the commands that load models


def _words(value: object) -> object:
    """A JSON list, or words separated by commas or spaces; empty is none."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        return json.loads(text)
    return [item for item in re.split(r"[,\s]+", text) if item]


# A list in one variable: SEEFOOD_PROVIDERS="cuda, cpu" or '["cuda", "cpu"]'.
Words = Annotated[list[str], NoDecode, BeforeValidator(_words)]
MaybeWords = Annotated[list[str] | None, NoDecode, BeforeValidator(_words)]  # None: not set


class Section(BaseModel):
    """The settings of one concern; its defaults are the only copy of them."""


S = TypeVar("S", bound=Section)


def from_environment(section: type[S]) -> S:
    """One section as this process's `SEEFOOD_*` variables set it (a remote node's own)."""
    config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")
    read = type(section.__name__, (section, BaseSettings), {"model_config": config})
    value: S = read()
    return value


def setting(
    default: Any = None,
    description: str = "",
    *,
    factory: Callable[[], Any] | None = None,
    shown: str | None = None,
    flag: Sequence[str] = (),
    **constraints: Any,
) -> Any:
    """A field of a section: its default (or `factory`), the help, the default as a person
    would say it (`shown`, where the value alone says it badly), and the commands that take
    it as a flag (`--name`)."""
    extra: dict[str, Any] = {}
    if shown is not None:
        extra["shown"] = shown
    if flag:
        extra["commands"] = list(flag)
    if factory is not None:
        return Field(
            default_factory=factory, description=description, json_schema_extra=extra, **constraints
        )
    return Field(default, description=description, json_schema_extra=extra, **constraints)
