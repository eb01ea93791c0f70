"""The hourly listening job: matched posts older than `FEDICOM_LISTEN_KEEP_DAYS` are deleted; their
daily counts stay. One job per hour under a key naming the hour, so however many processes run, it
runs once (the pattern of insights/clock.py)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from fedicom.jobs.queue import enqueue
from fedicom.jobs.runner import JobHandler, RunningJob
from fedicom.listening.models import Heard

KIND = "listening.prune"
CHECK = 600.0  # how often a running process makes sure the next hour's job is queued


async def queue_next(now: float) -> bool:
    at = (int(now) // 3600 + 1) * 3600
    return await enqueue(KIND, {}, run_at=at, key=f"{KIND}:{datetime.fromtimestamp(at, UTC):%Y-%m-%dT%H}")


async def prune(before: datetime) -> int:
    """Forget the posts heard before `before`; returns how many."""
    return await Heard.filter(heard_at__lt=before).delete()


class Pruner:
    def __init__(self, keep_days: int = 30) -> None:
        self.keep = timedelta(days=keep_days)

    async def run(self, stop: asyncio.Event) -> None:
        """Beside the job runner: keep the next hour's job queued until `stop`."""
        while not stop.is_set():
            await queue_next(time.time())
            try:
                await asyncio.wait_for(stop.wait(), CHECK)
            except TimeoutError:
                pass

    def handlers(self) -> dict[str, JobHandler]:
        async def hourly(_job: RunningJob) -> None:
            await prune(datetime.now(UTC) - self.keep)
            await queue_next(time.time())

        return {KIND: hourly}
