"""An error said to a person is one line."""

from seefood.errors import first_line


def test_only_the_first_line_or_the_type_when_there_is_no_message() -> None:
    assert first_line(ConnectionError("refused\n  at line 3\n")) == "refused"
    assert first_line(ConnectionError("  ")) == "ConnectionError"
