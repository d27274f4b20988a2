"""Small modules, kept small: a test fails where one grows past the house's limit."""

from pathlib import Path

SRC = Path(__file__).parents[1] / "src" / "seefood"
MAX_LINES = 250  # a module longer than this is more than one concept
MAX_CONFIG_LINES = 120  # the root settings compose the sections; they declare nothing


def lines(path: Path) -> int:
    return len(path.read_text().splitlines())


def test_no_module_is_over_the_limit() -> None:
    long = {str(p.relative_to(SRC)): lines(p) for p in SRC.rglob("*.py") if lines(p) > MAX_LINES}
    assert long == {}


def test_the_root_settings_stay_short() -> None:
    assert lines(SRC / "config.py") < MAX_CONFIG_LINES
