"""The credits a member's contributions earn, written as events arrive, in the event's own transaction
(groups/events.py): a vote stored, changed or withdrawn, a reply stored; and, called by the Q&A and idea
board areas, an answer accepted or an idea completed (and undone).

Credits are upserts on (post, kind, giver, source), so the same event counted twice changes nothing,
and `rebuild.py` replays stored history through these same functions.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.groups.events import GroupEvents, VoteCast
from fedicom.groups.models import Post
from fedicom.insights.db import query
from fedicom.recognition.models import Credit, CreditKind


async def _put(
    post: Post,
    kind: CreditKind,
    giver: str,
    source_id: int,
    value: int,
    at: datetime,
    conn: BaseDBAsyncClient | None,
) -> None:
    """The credit of (post, kind, giver, source) now has `value`; when first earned stays as it was."""
    await query(
        "INSERT INTO recognition_credit (group_id, post_id, source_id, kind, giver, value, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (post_id, kind, giver, source_id) "
        "DO UPDATE SET value = excluded.value",
        [post.group_id, post.id, source_id, kind.value, giver, value, at],  # type: ignore[attr-defined]
        conn,
    )


async def credit_vote(
    post: Post, voter: str, value: int, at: datetime, conn: BaseDBAsyncClient | None
) -> None:
    """`voter`'s vote on `post` is now `value` (+1, -1, or 0 when withdrawn); one's own never counts."""
    if voter == post.author:
        return
    if value == 0:
        await Credit.filter(post_id=post.id, kind=CreditKind.VOTE, giver=voter).using_db(conn).delete()
        return
    await _put(post, CreditKind.VOTE, voter, post.id, value, at, conn)


async def credit_reply(reply: Post, conn: BaseDBAsyncClient | None) -> None:
    """A reply stored in a thread credits the thread's author (distinct repliers are counted when read)."""
    thread_id = reply.root_id or reply.parent_id  # type: ignore[attr-defined]
    if thread_id is None:
        return
    thread = await Post.filter(id=thread_id).using_db(conn).first()
    if thread is None or thread.author == reply.author:
        return
    await _put(thread, CreditKind.REPLY, reply.author, reply.id, 1, reply.created_at, conn)


async def answer_accepted(
    post: Post, *, by: str, at: datetime | None = None, conn: BaseDBAsyncClient | None = None
) -> None:
    """`post` (a reply) was accepted as the answer by `by`: its author earns ANSWER points, unless
    they accepted their own answer. Called by the Q&A area, in its transaction."""
    if by != post.author:
        await _put(post, CreditKind.ANSWER, "", post.id, 1, at or datetime.now(UTC), conn)


async def answer_unaccepted(post: Post, *, conn: BaseDBAsyncClient | None = None) -> None:
    await Credit.filter(post_id=post.id, kind=CreditKind.ANSWER).using_db(conn).delete()


async def idea_completed(
    post: Post, *, at: datetime | None = None, conn: BaseDBAsyncClient | None = None
) -> None:
    """The idea `post` was completed: its author earns IDEA points. Called by the idea board area."""
    await _put(post, CreditKind.IDEA, "", post.id, 1, at or datetime.now(UTC), conn)


async def idea_reopened(post: Post, *, conn: BaseDBAsyncClient | None = None) -> None:
    await Credit.filter(post_id=post.id, kind=CreditKind.IDEA).using_db(conn).delete()


async def vote_changed(vote: VoteCast, conn: BaseDBAsyncClient | None) -> None:
    await credit_vote(vote.post, vote.actor, vote.value, vote.cast_at, conn)


async def post_stored(post: Post, conn: BaseDBAsyncClient | None) -> None:
    await credit_reply(post, conn)


def connect(events: GroupEvents) -> None:
    """Keep credits as votes and replies arrive (wired in `build_federation`)."""
    events.vote_changed.connect(vote_changed)
    events.post_stored.connect(post_stored)
