"""A CoDel-managed queue (RFC 8289), in the shape of sbroker's `sbroker_codel_queue`.

Items wait in FIFO order. CoDel watches the sojourn time of the item at the head: once it has
stayed above `target` for a whole `interval`, the head is dropped, and further heads are
dropped at `interval / sqrt(count)` spacing until the sojourn falls below target again. Drops
happen both when an item is taken (`pop`) and on a timer (`expire`), so that a queue whose
consumers are all busy still sheds load. The clock is passed in, which makes the behaviour
testable without waiting.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Dropped(Generic[T]):
    item: T
    sojourn: float  # seconds it waited before being dropped


class CoDelQueue(Generic[T]):
    def __init__(self, target: float, interval: float, min_length: int = 0) -> None:
        if not (target > 0 and interval > 0):
            raise ValueError("target and interval must be positive")
        if min_length < 0:
            raise ValueError("min_length must be non-negative")
        self.target = target
        self.interval = interval
        # Never drop below this many items (sbroker's `min`, RFC 8289's "one MTU" rule), so that
        # drops cannot leave a consumer idle: what is left will be taken at once.
        self.min_length = min_length
        self._items: deque[tuple[float, T]] = deque()
        self._first_above: float | None = None  # when the head may first be dropped
        self._dropping = False
        self._drop_next = 0.0
        self._count = 0  # drops in the current (or last) dropping state
        self._last_count = 0

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return (item for _, item in self._items)

    @property
    def dropping(self) -> bool:
        return self._dropping

    def push(self, item: T, now: float) -> None:
        self._items.append((now, item))

    def push_front(self, item: T, enqueued: float) -> None:
        """Put back at the head an item taken but not served (its consumer was stopped)."""
        self._items.appendleft((enqueued, item))

    def remove(self, item: T) -> bool:
        """Take out an item that gave up waiting (e.g. its stream closed)."""
        for i, (_, queued) in enumerate(self._items):
            if queued is item:
                del self._items[i]
                return True
        return False

    def clear(self) -> list[T]:
        """Take everything out, without drops, and reset CoDel's state."""
        items = [item for _, item in self._items]
        self._items.clear()
        self._first_above = None
        self._dropping = False
        return items

    def pop(self, now: float) -> tuple[tuple[T, float] | None, list[Dropped[T]]]:
        """Take the head for service after applying CoDel; returns (item, sojourn), drops."""
        dropped = self.expire(now)
        if not self._items:
            return None, dropped
        enqueued, item = self._items.popleft()
        return (item, now - enqueued), dropped

    def expire(self, now: float) -> list[Dropped[T]]:
        """Apply CoDel's drop schedule to the head without serving anything."""
        dropped: list[Dropped[T]] = []
        ok_to_drop = self._ok_to_drop(now)
        if self._dropping:
            if not ok_to_drop:
                self._dropping = False
            while self._dropping and now >= self._drop_next:
                dropped.append(self._drop_head(now))
                self._count += 1
                if not self._ok_to_drop(now):
                    self._dropping = False
                else:
                    self._drop_next = self._control_law(self._drop_next)
        elif ok_to_drop:
            dropped.append(self._drop_head(now))
            self._dropping = True
            # Re-entering soon after the last dropping state: resume near its drop rate.
            delta = self._count - self._last_count
            recent = now - self._drop_next < 16 * self.interval
            self._count = delta if delta > 1 and recent else 1
            self._drop_next = self._control_law(now)
            self._last_count = self._count
        return dropped

    def next_deadline(self, now: float) -> float | None:
        """The earliest time at which `expire` could drop something, if nothing else happens."""
        if len(self._items) <= self.min_length:
            return None
        if self._dropping:
            return self._drop_next
        if self._first_above is not None:
            return self._first_above
        return self._items[0][0] + self.target

    def _ok_to_drop(self, now: float) -> bool:
        if len(self._items) <= self.min_length or now - self._items[0][0] < self.target:
            self._first_above = None
            return False
        if self._first_above is None:
            self._first_above = now + self.interval
            return False
        return now >= self._first_above

    def _drop_head(self, now: float) -> Dropped[T]:
        enqueued, item = self._items.popleft()
        return Dropped(item, now - enqueued)

    def _control_law(self, t: float) -> float:
        return t + self.interval / math.sqrt(self._count)
