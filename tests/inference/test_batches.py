"""A batch whose items fail one by one: the errors stay in place, the rest get their results."""

import pytest

from seefood.inference.batches import convert_each, good, run_good, splice


def test_each_error_stays_where_it_was_and_the_rest_get_their_results_in_order() -> None:
    bad = ValueError("corrupt frame")
    items: list[str | Exception] = ["a", bad, "b", "c"]
    assert good(items) == ["a", "b", "c"]
    assert splice(items, [1, 2, 3]) == [("a", 1), bad, ("b", 2), ("c", 3)]


def test_all_failed_or_none_failed() -> None:
    errors: list[str | Exception] = [KeyError("x"), ValueError("y")]
    assert good(errors) == [] and splice(errors, []) == errors
    assert splice(["a", "b"], [0, 1]) == [("a", 0), ("b", 1)]


def test_a_count_that_does_not_match_is_a_bug_said_so() -> None:
    with pytest.raises(ValueError, match="fewer"):
        splice(["a", "b"], [1])
    with pytest.raises(ValueError, match="more"):
        splice(["a"], [1, 2])


def test_each_item_is_converted_alone_and_the_good_ones_run_once() -> None:
    def convert(text: str) -> int:
        return int(text)  # "x" fails, alone

    converted = convert_each(["1", "x", "3"], convert)
    assert isinstance(converted[1], ValueError)
    assert [(c[0], c[1]) for c in converted if not isinstance(c, Exception)] == [("1", 1), ("3", 3)]
    runs: list[list[int]] = []

    def run(ok: list[tuple[str, int, float]]) -> list[int]:
        runs.append([n for _, n, _ in ok])
        return [n * 10 for _, n, _ in ok]

    ran = run_good(converted, run)
    assert runs == [[1, 3]], "one batch of the good ones"
    assert [r if isinstance(r, Exception) else r[1] for r in ran] == [10, converted[1], 30]
    assert run_good([ValueError("all bad")], run) and runs == [[1, 3]], "no run for none"
