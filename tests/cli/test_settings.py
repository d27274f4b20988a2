"""Flags made from the settings' fields: each one sets its field, and none is left out."""

import argparse
from pathlib import Path
from typing import Any

import pytest

from seefood.cli import build_parser
from seefood.cli.settings import describe, flag_options, settings_from
from seefood.config import Settings, SettingsError, load_settings

# What each command needs besides its flags.
POSITIONAL = {
    "detect": ["x.jpg"],
    "eval": ["dir"],
    "model info": [],
    "serve": [],
    "sightings": ["list"],
}


def _subparser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    for word in command.split():
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[word]
    return parser


def _value(name: str) -> tuple[list[str], Any]:
    """A valid value other than the default for a setting's flag, and what it becomes."""
    field = Settings.model_fields[name]
    options = flag_options(field)
    default = field.get_default(call_default_factory=True)
    if options.get("action") == "store_true":
        return [], True
    if "choices" in options:
        kinds = [c for c in options["choices"] if c != getattr(default, "value", default)]
        return [kinds[0]], kinds[0]
    kind = options.get("type")
    if kind is Path:
        return ["/tmp/x.onnx"], Path("/tmp/x.onnx")
    if kind is int:
        return ["3"], 3
    if kind is float:
        return ["0.4"], 0.4
    if name == "providers":
        return ["cuda,cpu"], ["cuda", "cpu"]
    return ["example"], "example"


def test_every_settings_flag_sets_its_field() -> None:
    parser = build_parser()
    rows = [row for row in describe() if row.commands]
    assert {row.name for row in rows} >= {"model", "threshold", "host", "port", "batch_size"}
    for row in rows:
        for command in row.commands:
            words, expected = _value(row.name)
            argv = [*command.split(), *POSITIONAL[command], row.flag, *words]
            args = parser.parse_args(argv)
            flags = {
                k: v for k in Settings.model_fields if (v := getattr(args, k, None)) is not None
            }
            assert set(flags) == {row.name}, (command, row.flag, flags)
            if not isinstance(expected, list):  # lists are words until the settings split them
                assert flags[row.name] == expected, (
                    command,
                    row.flag,
                    "parsed as the field's type",
                )
            got = getattr(Settings(**flags), row.name)
            assert getattr(got, "value", got) == expected, (command, row.flag)


def test_a_command_has_a_flag_for_exactly_the_settings_that_name_it() -> None:
    parser = build_parser()
    fields = set(Settings.model_fields)
    for command in POSITIONAL:
        sub = _subparser(parser, command)
        flags = {a.dest for a in sub._actions if a.dest in fields}
        declared = {row.name for row in describe() if command in row.commands}
        assert flags == declared, command


def test_flags_win_over_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEEFOOD_THRESHOLD", "0.3")
    monkeypatch.setenv("SEEFOOD_BATCH_SIZE", "5")
    args = build_parser().parse_args(["detect", "x.jpg", "--threshold", "0.7"])
    settings = settings_from(args)
    assert (settings.threshold, settings.batch_size) == (0.7, 5)


def test_variables_in_milliseconds_say_what_replaced_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEEFOOD_CODEL_TARGET_MS", "20")
    with pytest.raises(SettingsError) as caught:
        load_settings({})
    assert str(caught.value) == (
        "SEEFOOD_CODEL_TARGET_MS is now SEEFOOD_CODEL_TARGET_SECONDS (in seconds)"
    )
