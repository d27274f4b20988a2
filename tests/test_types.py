"""The shared aliases: the two verdicts every stage and the page speak of."""

import typing

from seefood.detection.hotdog import HotdogEngine
from seefood.types import Verdict
from tests.conftest import noise_image


def test_a_result_says_one_of_the_two_verdicts(engine: HotdogEngine) -> None:
    assert typing.get_args(Verdict) == ("hotdog", "not_hotdog")
    assert engine.detect(noise_image()).verdict in typing.get_args(Verdict)
