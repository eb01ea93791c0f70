"""How many requests one server gets at once: a limit that adapts to how the server answers.

AIMD with slow start, as TCP paces a connection: a new server starts at a few requests in flight;
each quick success adds one (the limit doubles every round trip) until the first sign of trouble,
then one per round trip. A timeout, a 5xx or a 429 halves it (once per round trip: requests already
in flight when it was cut do not cut it again), never below one; a 429's `Retry-After` holds the
server back until then. A success much slower than the server's quickest answer adds nothing (the
server is queueing), nor does any while a request has been out that long (it may be about to time
out). So a fast server is used up to the ceiling, and a slow or struggling one gets what it copes
with. Order per object is the queue's business (delivery.py), not this one's.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque

SLOW_START_LIMIT = 4
# A success taking over SLOWER_THAN times the quickest answer, plus QUEUE_SLACK, means the server
# queues our requests. Generous on purpose: the time measured includes our own event loop's delays
# (a busy process reads answers late), which must not pass for the server's.
SLOWER_THAN = 4.0
QUEUE_SLACK = 0.25  # seconds


class AdaptiveLimit:
    """The adaptive in-flight limit of one server. Pure bookkeeping over the clock it is given."""

    def __init__(self, *, ceiling: int, initial: int = SLOW_START_LIMIT) -> None:
        self.ceiling = max(1, ceiling)
        self.limit = float(min(max(1, initial), self.ceiling))
        self.in_flight = 0
        self.waiting = 0  # requests queued for room (kept by HostSlots)
        self.slow_start = True
        self.quickest = math.inf  # seconds: the server's answer time when it is not loaded
        self.cut_at = -math.inf  # when the limit was last halved
        self.resume_at = 0.0  # nothing is sent before then (Retry-After)

    def has_room(self) -> bool:
        return self.in_flight < int(self.limit)

    def waits(self, now: float) -> bool:
        """True while the server asked us to wait (Retry-After): send it nothing, not even retries."""
        return now < self.resume_at

    def started(self) -> None:
        self.in_flight += 1

    def succeeded(self, started_at: float, now: float, oldest: float | None = None) -> None:
        """An answer that is not a sign of overload (2xx, and refusals such as 404: the server coped).

        `oldest`: when the oldest request still unanswered was sent. One out for longer than a slow
        answer takes is trouble on its way (a timeout comes late): no growth meanwhile.
        """
        self.in_flight = max(0, self.in_flight - 1)
        took = max(0.0, now - started_at)
        self.quickest = min(self.quickest, took)
        slow = SLOWER_THAN * self.quickest + QUEUE_SLACK
        if took > slow or (oldest is not None and now - oldest > slow):
            return  # the server queues or holds our requests: no more for now
        if not self.waiting and self.in_flight + 1 < self.limit / 2:
            # the limit was not what held us back: no evidence the server copes with more (answers
            # read together leave nothing in flight before the requests waiting for them start, so
            # those waiting count as evidence too)
            return
        step = 1.0 if self.slow_start else 1.0 / self.limit
        self.limit = min(float(self.ceiling), self.limit + step)

    def failed(self, started_at: float, now: float, retry_after: float | None = None) -> None:
        """A timeout, a 5xx or a 429: halve the limit (once per round trip), and wait if asked to."""
        self.in_flight = max(0, self.in_flight - 1)
        if retry_after is not None and retry_after > 0:
            self.resume_at = max(self.resume_at, now + retry_after)
        self.slow_start = False
        if started_at < self.cut_at:
            return  # sent before the last cut: that cut already answered this overload
        self.limit = max(1.0, self.limit / 2)
        self.cut_at = now

    def released(self) -> None:
        """A request ended without telling anything about the server (refused by us, abandoned)."""
        self.in_flight = max(0, self.in_flight - 1)


class HostSlots:
    """Waiting, in one process, for a slot under a server's adaptive limit."""

    def __init__(self, limit: AdaptiveLimit) -> None:
        self.limit = limit
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> None:
        """Wait until the limit has room, and take it (the caller checks `waits` around this)."""
        while not self.limit.has_room():
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            self.limit.waiting += 1
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self.wake()  # it was given room it will not use: the next waiter takes it
                raise
            finally:
                self.limit.waiting -= 1
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
        self.limit.started()

    def wake(self) -> None:
        """After a request ends: let as many waiters try as there is room for."""
        room = int(self.limit.limit) - self.limit.in_flight
        while room > 0 and self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                room -= 1

    @property
    def idle(self) -> bool:
        return not self._waiters and self.limit.in_flight == 0
