"""The sending side of the load generator: pre-signed POSTs over a bounded pool of keep-alive connections."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import aiohttp

from bench.peers import SignedPost


@dataclass
class PostStats:
    """Outcome of sending a batch: statuses, transport errors and per-request latency."""

    started: float
    finished: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.statuses.get(202, 0)

    @property
    def failed(self) -> int:
        return sum(n for s, n in self.statuses.items() if s != 202) + sum(self.errors.values())

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    def latency_ms(self, quantile: float) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0] * 1000
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return cuts[min(98, max(0, round(quantile * 100) - 1))] * 1000


def client_session(concurrency: int) -> aiohttp.ClientSession:
    """At most `concurrency` keep-alive connections; no cookie jar or auto headers to pay for."""
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency, keepalive_timeout=120)
    return aiohttp.ClientSession(
        connector=connector, cookie_jar=aiohttp.DummyCookieJar(), timeout=aiohttp.ClientTimeout(total=60)
    )


async def post_all(
    session: aiohttp.ClientSession, posts: Sequence[SignedPost], *, concurrency: int
) -> PostStats:
    """Send every post (in order of start) with `concurrency` workers; returns when all are answered."""
    stats = PostStats(started=time.perf_counter())
    items = iter(posts)

    async def worker() -> None:
        for post in items:
            began = time.perf_counter()
            try:
                async with session.post(post.url, data=post.body, headers=post.headers) as resp:
                    text = await resp.read()
                    stats.statuses[resp.status] += 1
                    if resp.status != 202 and len(stats.bodies) < 5:
                        stats.bodies.append(f"{resp.status}: {text[:200]!r}")
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                stats.errors[type(exc).__name__] += 1
                continue
            stats.latencies.append(time.perf_counter() - began)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    stats.finished = time.perf_counter()
    return stats
