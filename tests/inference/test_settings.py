"""The inference section: daemons and threads for the cores, batches, the queue in seconds."""

import os

from seefood.config import load_settings
from seefood.inference.broker import DEFAULT_INTERVAL, DEFAULT_TARGET
from seefood.inference.daemon import Batching
from seefood.inference.requestor import DEFAULT_BACKOFF
from seefood.inference.settings import InferenceSettings, default_daemons, default_threads


def test_one_daemon_per_core_up_to_four_each_with_two_threads_at_least() -> None:
    assert [default_daemons(c) for c in (None, 1, 2, 3, 16)] == [1, 1, 2, 3, 4]
    # (cores, daemons) -> threads per session: never more than the cores, two when it can,
    # one each beyond a daemon per core
    cases = {(1, 1): 1, (2, 2): 2, (2, 1): 2, (4, 4): 2, (16, 4): 4, (8, 1): 8, (2, 8): 1}
    assert {k: default_threads(*k) for k in cases} == cases
    assert default_threads(None, 1) == 1
    assert load_settings({}).daemons == default_daemons(os.cpu_count())


def test_the_defaults_are_the_components_own_and_durations_are_seconds() -> None:
    settings = InferenceSettings()
    assert (settings.codel_target_seconds, settings.codel_interval_seconds) == (
        DEFAULT_TARGET,
        DEFAULT_INTERVAL,
    )
    assert settings.drop_backoff_seconds == DEFAULT_BACKOFF
    assert settings.batching() == Batching(4, 0.0)
    assert InferenceSettings(max_batch=2, max_batch_wait_seconds=0.01).batching() == Batching(
        2, 0.01
    )
