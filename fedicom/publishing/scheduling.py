"""Posts written now and published later: at a time, or again and again by a repeat rule.

Each publication is a job of the durable queue (jobs/), keyed by the post and its time, so it is
queued once; its handler publishes in the same transaction that marks the job done and queues the
next time, so a post comes out exactly once even with several processes and a restart in between.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.errors import BadRequest, FedicomError, NotFound
from fedicom.groups.context import Groups
from fedicom.groups.models import Group, Post
from fedicom.groups.timezones import zone
from fedicom.jobs.queue import cancel as cancel_job
from fedicom.jobs.queue import enqueue
from fedicom.jobs.runner import FinalFailure, JobHandler, RunningJob, mark_job_done
from fedicom.media.store import FileStore
from fedicom.publishing import wire
from fedicom.publishing.compose import Author, publish, ready
from fedicom.publishing.drafts import Draft
from fedicom.publishing.models import ScheduledPost, ScheduleState
from fedicom.publishing.recurrence import next_run, parse_rule

KIND = "publishing.scheduled"
EARLIEST = timedelta(seconds=1)  # sooner is "now": publish at once instead
LATEST = timedelta(days=366)


def _key(item: ScheduledPost) -> str:
    return f"scheduled:{item.id}:{item.run_at.timestamp():.0f}"


def to_stored(draft: Draft) -> dict[str, Any]:
    return {
        "body": draft.body,
        "title": draft.title,
        "link": draft.link,
        "warning": draft.warning,
        "language": draft.language,
        "pictures": [asdict(p) for p in draft.pictures],
        "as_community": draft.as_community,
    }


def draft_from(stored: dict[str, Any]) -> Draft:
    return Draft(
        body=stored["body"],
        title=stored.get("title"),
        link=stored.get("link"),
        warning=stored.get("warning"),
        language=stored.get("language"),
        pictures=tuple(wire.Picture(**p) for p in stored.get("pictures", [])),
        as_community=bool(stored.get("as_community", False)),
    )


def first_time(at: datetime | None, every: str | None, tz_name: str, now: datetime) -> datetime:
    """When a schedule first publishes, or BadRequest saying why the time cannot be."""
    tz = zone(tz_name)
    rule = parse_rule(every) if every else None
    if at is None and rule is None:
        raise BadRequest("say when: a time (--at) or a repeat rule (--every), or both")
    if at is not None:
        when = (at if at.tzinfo else at.replace(tzinfo=tz)).astimezone(UTC)
        if when < now + EARLIEST:
            raise BadRequest(f"{when:%Y-%m-%d %H:%M} UTC is in the past: choose a later time")
        if when > now + LATEST:
            raise BadRequest("a post is scheduled at most a year ahead")
        return when
    assert rule is not None
    return next_run(rule, now, tz)


async def schedule(
    ctx: Groups,
    author: Author,
    group: Group,
    draft: Draft,
    *,
    at: datetime | None = None,
    every: str | None = None,
    timezone: str | None = None,
) -> ScheduledPost:
    """Check the post as if it went out now (images stored), and queue its first publication; times
    are on the community's clock unless `timezone` names another."""
    timezone = timezone or group.timezone
    when = first_time(at, every, timezone, datetime.now(UTC))
    checked = await ready(ctx, author, group, draft, None)
    async with ctx.fed.transaction() as conn:
        item = await ScheduledPost.create(
            group=group,
            author=author.actor,
            draft=to_stored(checked),
            run_at=when,
            every=every.strip() if every else None,
            timezone=timezone,
            using_db=conn,
        )
        await queue_publication(item, conn)
    return item


async def queue_publication(item: ScheduledPost, conn: BaseDBAsyncClient) -> None:
    """The durable job that publishes `item` at its `run_at` (queued once: keyed by post and time)."""
    await enqueue(KIND, {"id": item.id}, run_at=item.run_at.timestamp(), key=_key(item), conn=conn)


async def list_scheduled(group: Group | None = None, *, include_ended: bool = False) -> list[ScheduledPost]:
    query = ScheduledPost.all().prefetch_related("group").order_by("run_at")
    if group is not None:
        query = query.filter(group_id=group.id)
    if not include_ended:
        query = query.filter(state=ScheduleState.SCHEDULED)
    return await query


async def cancel(item_id: int, *, may_act: Any) -> ScheduledPost:
    """Take a scheduled post back (`may_act(group)` checks the staff member moderates it)."""
    item = await ScheduledPost.get_or_none(id=item_id).prefetch_related("group")
    if item is None:
        raise NotFound(f"there is no scheduled post {item_id}")
    await may_act(item.group)
    if item.state != ScheduleState.SCHEDULED:
        raise BadRequest(f"scheduled post {item_id} is {item.state}: there is nothing to cancel")
    item.state = ScheduleState.CANCELLED
    await item.save(update_fields=["state"])
    await cancel_job(_key(item))
    return item


def handlers(ctx: Groups, files: FileStore) -> dict[str, JobHandler]:
    """The job handler, by kind (the author of each publication comes from its row)."""

    async def run(job: RunningJob) -> None:
        item = await ScheduledPost.get_or_none(id=int(job.payload["id"])).prefetch_related("group")
        if item is None or item.state != ScheduleState.SCHEDULED:
            return  # cancelled or gone since: nothing to publish
        author = Author(item.author, files)
        try:
            async with ctx.fed.transaction() as conn:
                post = await publish(ctx, author, item.group, draft_from(item.draft), conn=conn)
                await _after(item, post, conn)
                await mark_job_done(conn)
        except FedicomError as exc:  # the author lost the right to post there, the draft is refused…
            await ScheduledPost.filter(id=item.id).update(state=ScheduleState.FAILED, last_error=exc.reason)
            raise FinalFailure(exc.reason) from None

    return {KIND: run}


async def _after(item: ScheduledPost, post: Post, conn: BaseDBAsyncClient) -> None:
    """Count the publication; queue the next time of a repeated post, or end a one-off."""
    item.published += 1
    item.last_post_id = post.id
    if item.every:
        now = datetime.now(UTC)
        item.run_at = next_run(parse_rule(item.every), max(item.run_at, now), zone(item.timezone))
        await queue_publication(item, conn)
    else:
        item.state = ScheduleState.DONE
    await item.save(using_db=conn)
