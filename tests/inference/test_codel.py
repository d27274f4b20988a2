"""CoDel's drop schedule, driven by a fake clock: times are plain numbers passed in."""

import itertools
import math

import pytest

from seefood.inference.codel import CoDelQueue

TARGET, INTERVAL = 0.010, 0.100


def _full_queue(n: int = 1000, at: float = 0.0, min_length: int = 0) -> CoDelQueue[int]:
    q: CoDelQueue[int] = CoDelQueue(TARGET, INTERVAL, min_length)
    for i in range(n):
        q.push(i, at)
    return q


def test_no_drop_while_sojourn_stays_under_target() -> None:
    q: CoDelQueue[int] = CoDelQueue(TARGET, INTERVAL)
    now = 0.0
    for i in range(1000):  # one in, one out, each waiting 9 ms: ten seconds of it
        q.push(i, now)
        now += 0.009
        taken, dropped = q.pop(now)
        assert taken is not None and dropped == []
        assert taken[0] == i and taken[1] == pytest.approx(0.009)
    assert not q.dropping


def test_first_drop_only_after_a_whole_interval_above_target() -> None:
    q = _full_queue()
    assert q.expire(TARGET) == []  # sojourn reaches target: the interval starts now
    assert q.expire(TARGET + INTERVAL - 1e-6) == []
    dropped = q.expire(TARGET + INTERVAL)
    assert [d.item for d in dropped] == [0]
    assert dropped[0].sojourn == pytest.approx(TARGET + INTERVAL)
    assert q.dropping


def test_drop_spacing_shrinks_as_interval_over_sqrt_count() -> None:
    q = _full_queue()
    times: list[float] = []
    now = 0.0
    while len(times) < 8:
        now += 0.0005
        times.extend(now for _ in q.expire(now))
    gaps = [b - a for a, b in itertools.pairwise(times)]
    for count, gap in enumerate(gaps, start=1):
        assert gap == pytest.approx(INTERVAL / math.sqrt(count), abs=0.001)


def test_recovery_when_sojourn_falls_below_target() -> None:
    q = _full_queue(3)
    q.expire(TARGET)
    assert len(q.expire(TARGET + INTERVAL)) == 1
    now = TARGET + INTERVAL
    # Serve the backlog; fresh items then wait less than target.
    while len(q):
        q.pop(now)
    for i in range(100):
        q.push(i, now)
        now += 0.005
        taken, dropped = q.pop(now)
        assert dropped == [] and taken is not None and taken[0] == i
    assert not q.dropping


def test_reentering_soon_resumes_the_previous_drop_rate() -> None:
    q = _full_queue()
    now = 0.0
    drops = 0
    while drops < 5:
        now += 0.0005
        drops += len(q.expire(now))
    # Recover briefly: empty the queue, then overload again.
    while len(q):
        q.pop(now)
    assert q.expire(now) == [] and not q.dropping
    for i in range(100):
        q.push(i, now)
    first_drop = None
    while first_drop is None:
        now += 0.0005
        if q.expire(now):
            first_drop = now
    # Second drop comes at interval/sqrt(count>1), sooner than a fresh start's full interval.
    second = None
    while second is None:
        now += 0.0005
        if q.expire(now):
            second = now
    assert second - first_drop < INTERVAL * 0.75


def test_never_drops_below_min_length() -> None:
    q = _full_queue(3, min_length=2)
    now = 0.0
    dropped = 0
    while now < 2.0:
        now += 0.001
        dropped += len(q.expire(now))
    assert dropped == 1 and len(q) == 2
    assert q.next_deadline(now) is None


def test_next_deadline_follows_the_state() -> None:
    q: CoDelQueue[int] = CoDelQueue(TARGET, INTERVAL)
    assert q.next_deadline(0.0) is None
    q.push(1, 0.0)
    assert q.next_deadline(0.0) == pytest.approx(TARGET)
    q.expire(TARGET)
    assert q.next_deadline(TARGET) == pytest.approx(TARGET + INTERVAL)


def test_remove_and_validation() -> None:
    q: CoDelQueue[str] = CoDelQueue(TARGET, INTERVAL)
    q.push("a", 0)
    q.push("b", 0)
    assert q.remove("a") and not q.remove("a") and list(q) == ["b"]
    with pytest.raises(ValueError):
        CoDelQueue(0, 1)
