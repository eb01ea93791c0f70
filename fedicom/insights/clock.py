"""The hourly insights job: each community's alerts judged, and its stages counted once a day.

One job per hour, queued under a key naming the hour, so however many processes run, each hour's job
exists once and runs once (jobs/queue.py); a process that starts queues the next one if nobody has.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.groups.context import Groups
from fedicom.groups.models import Group
from fedicom.insights import alerts, stages
from fedicom.insights.counting import local_day
from fedicom.insights.lock import turn
from fedicom.insights.models import MemberDay, MemberEvent, ReportSeen, StageDay
from fedicom.insights.scoring import Thresholds
from fedicom.jobs.queue import enqueue
from fedicom.jobs.runner import JobHandler, RunningJob

KIND = "insights.hourly"
CHECK = 600.0  # how often a running process makes sure the next hour's job is queued


def next_hour(now: float) -> float:
    return (int(now) // 3600 + 1) * 3600


async def queue_next(now: float) -> bool:
    at = next_hour(now)
    key = f"{KIND}:{datetime.fromtimestamp(at, UTC):%Y-%m-%dT%H}"
    return await enqueue(KIND, {}, run_at=at, key=key)


async def forget(before: datetime, conn: BaseDBAsyncClient | None = None) -> None:
    """What names members (their days, joins and leaves, the reports' ids) goes after the retention
    period the privacy page states; the community's daily totals stay."""
    await MemberDay.filter(day__lt=before.date()).using_db(conn).delete()
    await MemberEvent.filter(at__lt=before).using_db(conn).delete()
    await ReportSeen.filter(day__lt=before.date()).using_db(conn).delete()


class Clock:
    def __init__(self, ctx: Groups, limits: Thresholds, keep_days: int = 400) -> None:
        self.ctx = ctx
        self.limits = limits
        self.keep = timedelta(days=keep_days)

    async def run(self, stop: asyncio.Event) -> None:
        """Beside the job runner: keep the next hour's job queued until `stop`."""
        while not stop.is_set():
            await queue_next(time.time())
            try:
                await asyncio.wait_for(stop.wait(), CHECK)
            except TimeoutError:
                pass

    async def tick(self, now: datetime) -> int:
        """Judge every community's alerts for its today; count today's stages where not done yet.
        Returns the number of alerts raised."""
        raised = 0
        async with turn() as conn:  # in turn with counting: a rebuild recounting old days forgets them itself
            if conn is not None:
                await forget(now - self.keep, conn)
        for group in await Group.all():
            today = local_day(now, group)
            if not await StageDay.exists(group_id=group.id, day=today):
                await stages.snapshot(group, today, self.limits)
            raised += len(await alerts.evaluate(group, today, self.ctx.events))
        return raised

    def handlers(self) -> dict[str, JobHandler]:
        async def hourly(_job: RunningJob) -> None:
            await self.tick(datetime.now(UTC))
            await queue_next(time.time())

        return {KIND: hourly}
