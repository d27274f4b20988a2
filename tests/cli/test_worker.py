"""`seefood worker`: the `ray start` it runs, and the node's own choices in its environment.

A real node joining a real head is tests/inference/remote/test_cluster.py's; here the
command is only recorded (monkeypatched `subprocess.call`), to check what it is given.
"""

import subprocess
from typing import Any

import pytest

from seefood.cli import build_parser
from seefood.cli.worker import cmd_worker


def _run(monkeypatch: pytest.MonkeyPatch, *argv: str) -> tuple[list[str], dict[str, str]]:
    calls: list[tuple[list[str], dict[str, str]]] = []

    def call(command: list[str], env: dict[str, str], **_: Any) -> int:
        calls.append((command, env))
        return 0

    monkeypatch.setattr(subprocess, "call", call)
    assert cmd_worker(build_parser().parse_args(["worker", *argv])) == 0
    [(command, env)] = calls
    return command, env


def test_the_node_joins_the_head_with_its_own_providers_and_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    command, env = _run(
        monkeypatch, "--address", "10.0.0.1:6379", "--providers", "cuda", "--threads", "3"
    )
    assert command[1:3] == ["start", "--address=10.0.0.1:6379"]
    assert '--resources={"seefood": 1}' in command and "--block" in command
    assert (env["SEEFOOD_PROVIDERS"], env["SEEFOOD_THREADS"]) == ("cuda", "3")


def test_the_address_comes_from_the_settings_or_is_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SEEFOOD_RAY_ADDRESS", "10.0.0.2:6379")
    command, env = _run(monkeypatch, "--num-cpus", "2")
    assert "--address=10.0.0.2:6379" in command and "--num-cpus=2" in command
    assert "SEEFOOD_THREADS" not in env
    monkeypatch.delenv("SEEFOOD_RAY_ADDRESS")
    with pytest.raises(ValueError, match="give the head's address"):
        cmd_worker(build_parser().parse_args(["worker"]))
