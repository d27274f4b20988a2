"""A batch whose items fail one by one: the errors stay in place, the rest get their results."""

import pytest

from seefood.inference.batches import good, splice


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
