"""A value read from the database again once it is a few seconds old: the lists that every delivery or
inbound activity consults (domain blocks, bans, filters, listening terms), asked without a query.

When it turns stale, the first caller reads it again and the others keep the stale value meanwhile.
Hundreds of deliveries or inbound activities are in flight at once: without that, each of them that
asked while the first read was under way sent the same query (up to one per delivery in flight when
a fan-out began after the list had expired). The others do not wait for that read: the reader may be
queued behind a transaction one of them holds (SQLite has one connection), and a wait would never end.

After `forget()` (this process changed what is read) and before the first read, every caller reads
for itself: nobody is answered with what was there before the change.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Reloaded(Generic[T]):
    _value: T  # set by the first read kept; never returned before it

    def __init__(self, read: Callable[[], Awaitable[T]], ttl: float = 2.0) -> None:
        self.ttl = ttl
        self._read = read
        self._read_at = -math.inf  # monotonic; -inf: never read, or forgotten since
        self._reading = 0  # callers reading it again since the last forget()
        self._changes = 0  # forget() calls: a read that began before one is not kept

    async def get(self) -> T:
        started = time.monotonic()
        if started - self._read_at < self.ttl:
            return self._value
        if self._reading and self._read_at > -math.inf:
            return self._value  # stale by less than a read: another caller is reading it again
        changes = self._changes
        self._reading += 1
        try:
            value = await self._read()
        finally:
            if changes == self._changes:
                self._reading -= 1
        if changes == self._changes and started > self._read_at:
            self._value, self._read_at = value, started
        return value

    def forget(self) -> None:
        """Read again at the next call (this process has just changed what is read)."""
        self._read_at = -math.inf
        self._changes += 1
        self._reading = 0  # reads under way began before the change: none of them is kept
