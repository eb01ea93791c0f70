"""A small in-memory rate limit per client address, for anonymous actions that cost us work.

Following from your server makes this server fetch from others; sign-in forms need the same brake.
Each process counts on its own: a limit of N per window allows N per process.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque

from fedicom.errors import FedicomError

MAX_KEYS = 10_000  # clients remembered; the least recently seen are forgotten first


class TooManyRequests(FedicomError):
    status = 429


class RateLimit:
    def __init__(self, limit: int, window: float, *, what: str) -> None:
        self.limit, self.window, self.what = limit, window, what
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def check(self, key: str, now: float | None = None) -> None:
        """Count one attempt by `key`; raise TooManyRequests (saying when to retry) past the limit."""
        now = time.monotonic() if now is None else now
        hits = self._hits.pop(key, None) or deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        self._hits[key] = hits
        if len(self._hits) > MAX_KEYS:
            self._hits.popitem(last=False)
        if len(hits) >= self.limit:
            wait = max(1, round(hits[0] + self.window - now))
            raise TooManyRequests(f"too many {self.what} from your address: try again in {wait} seconds")
        hits.append(now)
