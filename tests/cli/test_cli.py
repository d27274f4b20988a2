"""The `seefood` command as a whole: a newcomer's mistakes get one clear line each."""

from pathlib import Path

import pytest

from tests.cli.commands import one_line_error, seefood


@pytest.mark.slow  # a dozen CLI processes, each loading the models: not in the fast tier
def test_newcomer_mistakes_get_one_clear_line(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not a model")
    one_line_error(seefood("serve", "--model", garbage, "--port", "0"), "cannot load")
    notes = tmp_path / "notes.txt"
    notes.write_text("buns, sausages")
    one_line_error(seefood("stream", notes), "not a video")
    one_line_error(
        seefood("stream", "pattern", "--url", "http://127.0.0.1:1", "--duration", "2"),
        "cannot reach",
        "connection refused",
    )
    one_line_error(seefood("detect", "--threshold", "5", notes), "--threshold: must be at most 1")
    one_line_error(seefood("serve", "--port", "70000"), "--port: must be at most 65535")
    one_line_error(seefood("worker"), "give the head's address")
    one_line_error(
        seefood("serve", "--port", "0", "--ray-address", "127.0.0.1:1"),
        "cannot join the Ray cluster at 127.0.0.1:1",
    )
    help_text = seefood("--help").stdout
    assert "PydanticUndefined" not in help_text and "(default: none)" not in help_text
