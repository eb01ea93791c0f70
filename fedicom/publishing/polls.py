"""Polls by staff: a `Question` thread that members vote on from Mastodon, Misskey, Pleroma and others.

A vote arrives as `Create{Note}` whose `name` is the option and whose `inReplyTo` is the poll
(Mastodon's VoteSerializer; Misskey and Pleroma send the same), addressed to the poll's author. It
is counted once per voter (per option in a multiple-choice poll), refused after the poll closes, and
never shown as a reply. The counts reach members' servers as the author's `Update{Question}`: sent
directly (Mastodon refreshes results only from the author) and announced by the group.

Results are sent at most once a minute per poll, whatever the number of votes (a job per poll and
minute, queued by the first vote in it: Mastodon itself waits 3 minutes), and once more when the poll
closes, so members' servers show it closed with its final counts. Our own pages read the counts at once.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.functions import Count

from fedicom.activitypub.vocab import id_of, new_activity_uri
from fedicom.errors import BadRequest, Forbidden
from fedicom.groups import posts as group_posts
from fedicom.groups.announce import announce
from fedicom.groups.context import Groups
from fedicom.groups.hooks import admit
from fedicom.groups.models import Group, Post, PostState
from fedicom.jobs.queue import enqueue
from fedicom.jobs.runner import JobHandler, RunningJob, mark_job_done
from fedicom.moderation.content import require_active_moderator
from fedicom.publishing import wire
from fedicom.publishing.compose import Author
from fedicom.publishing.models import PollVote

MIN_OPTIONS, MAX_OPTIONS = 2, 10
MAX_OPTION = 100
MAX_QUESTION = 500
SHORTEST, LONGEST = timedelta(minutes=5), timedelta(days=90)
_DURATION_RE = re.compile(r"^\s*(\d{1,4})\s*(m|min|h|d|w)\s*$")
_ALREADY = {
    "oneOf": "this voter has already voted in the poll (one choice only)",
    "anyOf": "this voter has already chosen this option",
}
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}
RESULTS_KIND = "publishing.poll_results"
RESULTS_EVERY = 60  # seconds: one Update per poll at most this often


def parse_duration(text: str) -> timedelta:
    """`30m`, `12h`, `3d`, `1w`: how long a poll stays open (5 minutes to 90 days)."""
    match = _DURATION_RE.match(text.lower())
    if not match:
        raise BadRequest(f"{text[:40]!r} is not a duration such as 30m, 12h, 3d or 1w")
    duration = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    if not SHORTEST <= duration <= LONGEST:
        raise BadRequest("a poll stays open between 5 minutes and 90 days")
    return duration


def check_poll(question: str, options: list[str]) -> tuple[str, tuple[str, ...]]:
    """The question and options trimmed, or BadRequest naming what is wrong."""
    question = question.strip()
    if not question or len(question) > MAX_QUESTION or "\x00" in question:
        raise BadRequest(f"a poll needs a question of 1 to {MAX_QUESTION} characters")
    names = tuple(o.strip() for o in options)
    if not MIN_OPTIONS <= len(names) <= MAX_OPTIONS:
        raise BadRequest(f"a poll needs {MIN_OPTIONS} to {MAX_OPTIONS} options ({len(names)} given)")
    for name in names:
        if not name or len(name) > MAX_OPTION or "\x00" in name:
            raise BadRequest(f"each option needs 1 to {MAX_OPTION} characters")
    if len({n.casefold() for n in names}) != len(names):
        raise BadRequest("two options are the same: each option must differ")
    return question, names


async def create_poll(
    ctx: Groups,
    author: Author,
    group: Group,
    question: str,
    options: list[str],
    *,
    multiple: bool = False,
    duration: timedelta = timedelta(days=1),
) -> Post:
    """Publish a poll thread as the staff member; returns its post (`object_id` is the Question's id)."""
    await require_active_moderator(ctx, group, author.actor)
    question, names = check_poll(question, options)
    if not SHORTEST <= duration <= LONGEST:
        raise BadRequest("a poll stays open between 5 minutes and 90 days")
    now = datetime.now(UTC)
    group_uri = ctx.uri(group)
    async with ctx.fed.transaction() as conn:
        post = await Post.create(
            group=group,
            object_id=f"urn:uuid:{uuid.uuid4()}",  # the page address once the row has its number
            type="Question",
            author=author.actor,
            title=question[:300],
            content=f"<p>{wire.escape_text(question)}</p>",
            document={},
            published=now,
            announce_id=new_activity_uri(ctx.fed.base_url),
            using_db=conn,
        )
        post.group = group
        obj = wire.build_question(
            object_id=f"{group_uri}/p/{post.id}",
            author=author.actor,
            to=wire.Addressing(group_uri, group.private),
            question=question,
            options=names,
            multiple=multiple,
            closes=now + duration,
            published=now,
        )
        post.object_id, post.document = obj["id"], obj
        await post.save(using_db=conn, update_fields=["object_id", "document"])
        create = wire.build_activity(
            "Create", activity_id=new_activity_uri(ctx.fed.base_url), obj=obj, published=now
        )
        await ctx.fed.send(create, actor=author.actor, inboxes=[], public=not group.private, conn=conn)
        await group_posts.publish(ctx, group, post, create, author_inbox=None, conn=conn)
        await ctx.events.post_stored.send(post, conn)
        closing = (now + duration).timestamp() + 1
        await enqueue(RESULTS_KIND, {"id": post.id}, run_at=closing, key=f"poll:{post.id}:closed", conn=conn)
    return post


def closes_at(question: dict[str, Any]) -> datetime | None:
    end = question.get("endTime")
    return group_posts.parse_time(end) if isinstance(end, str) else None


def is_vote(obj: Any) -> bool:
    """A vote is a Note naming an option, answering a poll, with no text of its own."""
    return (
        isinstance(obj, dict)
        and obj.get("type") == "Note"
        and isinstance(obj.get("name"), str)
        and bool(id_of(obj.get("inReplyTo")))
        and not (isinstance(obj.get("content"), str) and obj["content"].strip())
    )


async def take_vote(ctx: Groups, activity: dict[str, Any]) -> bool:
    """The `create_claimed` listener: count the vote if the Create is one on a poll of ours."""
    obj = activity.get("object")
    if not is_vote(obj):
        return False
    assert isinstance(obj, dict)
    poll = await Post.get_or_none(object_id=id_of(obj.get("inReplyTo")), type="Question").prefetch_related(
        "group"
    )
    if poll is None or not poll.author.startswith(f"{ctx.fed.base_url}/u/"):
        return False  # a vote on someone else's poll: not ours to count
    voter = group_posts.check_authorship(activity, obj)
    await admit(ctx.hooks, poll.group, voter)
    await record_vote(ctx, poll, voter, str(obj["name"]), str(id_of(obj)), now=datetime.now(UTC))
    return True


async def record_vote(
    ctx: Groups, poll: Post, voter: str, choice: str, vote_id: str, *, now: datetime
) -> None:
    """Count one vote (Forbidden with the reason when it cannot count), then send the new results."""
    if poll.deleted or poll.state != PostState.VISIBLE:
        raise Forbidden("the poll is no longer shown")
    end = closes_at(poll.document)
    if end is not None and now >= end:
        raise Forbidden("the poll is closed")
    key, options = wire.poll_options(poll.document)
    if choice not in {o.get("name") for o in options}:
        raise Forbidden(f"the poll has no option {choice[:100]!r}")
    slot = choice if key == "anyOf" else "*"
    if await PollVote.exists(post_id=poll.id, voter=voter, slot=slot):
        raise Forbidden(_ALREADY[key])
    window = int(now.timestamp()) // RESULTS_EVERY
    try:
        async with ctx.fed.transaction() as conn:
            await PollVote.create(
                post=poll, voter=voter, choice=choice, slot=slot, activity_id=vote_id, using_db=conn
            )
            await _count(poll, conn, now=now)
            await enqueue(
                RESULTS_KIND,
                {"id": poll.id},
                run_at=(window + 1) * RESULTS_EVERY,
                key=f"poll:{poll.id}:{window}",
                conn=conn,
            )
    except IntegrityError:
        raise Forbidden(_ALREADY[key]) from None


async def results(poll: Post, conn: BaseDBAsyncClient | None = None) -> tuple[dict[str, int], int]:
    """Votes per option, and how many distinct accounts voted."""
    rows = (
        await PollVote.filter(post_id=poll.id)
        .using_db(conn)
        .annotate(n=Count("id"))
        .group_by("choice")
        .values_list("choice", "n")
    )
    voters = await PollVote.filter(post_id=poll.id).using_db(conn).distinct().values_list("voter", flat=True)
    return {str(c): int(n) for c, n in rows}, len(voters)


async def _count(poll: Post, conn: BaseDBAsyncClient, *, now: datetime) -> dict[str, Any]:
    """Store the current counts in the poll's document (what its page and its id serve)."""
    counts, voters = await results(poll, conn)
    end = closes_at(poll.document)
    doc = wire.with_counts(poll.document, counts, voters, updated=now, closed=end is not None and now >= end)
    poll.document, poll.updated = doc, now
    await poll.save(using_db=conn, update_fields=["document", "updated"])
    return doc


async def send_results(ctx: Groups, poll: Post, conn: BaseDBAsyncClient, *, now: datetime) -> dict[str, Any]:
    """The current counts, stored and sent as the author's Update (directly and announced)."""
    doc = await _count(poll, conn, now=now)
    update = wire.build_activity(
        "Update", activity_id=new_activity_uri(ctx.fed.base_url), obj=doc, published=now
    )
    inboxes = list((await ctx.rosters.of(poll.group)).inboxes)
    await ctx.fed.send(update, actor=poll.author, inboxes=inboxes, public=not poll.group.private, conn=conn)
    await announce(ctx, poll.group, update, conn=conn)
    return update


def handlers(ctx: Groups) -> dict[str, JobHandler]:
    """The results job: send a poll's counts (after a minute of votes, or at its close)."""

    async def run(job: RunningJob) -> None:
        poll = await Post.get_or_none(id=int(job.payload["id"]), type="Question").prefetch_related("group")
        if poll is None or poll.deleted or poll.state != PostState.VISIBLE:
            return  # deleted or removed since: its members' servers were told already
        async with ctx.fed.transaction() as conn:
            await send_results(ctx, poll, conn, now=datetime.now(UTC))
            await mark_job_done(conn)

    return {RESULTS_KIND: run}
