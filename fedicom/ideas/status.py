"""Staff set an idea's status with an optional note: stored with its history, and told to members as a
staff reply under the idea (the path every staff reply takes, publishing/compose.py), all in one
transaction with the idea credit recognition keeps for completed ideas."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.groups.context import Groups
from fedicom.groups.models import Post
from fedicom.ideas.board_models import IdeaState, IdeaStatusChange
from fedicom.ideas.lifecycle import (
    IdeaStatus,
    Standing,
    check_change,
    check_idea,
    check_note,
    credit_change,
    reply_text,
)
from fedicom.moderation.content import require_active_moderator
from fedicom.publishing.compose import Author, publish
from fedicom.publishing.drafts import Draft
from fedicom.recognition import ledger


async def standing_of(post_id: int, conn: BaseDBAsyncClient | None = None) -> Standing:
    found = await IdeaState.filter(post_id=post_id).using_db(conn).first()
    if found is None:
        return Standing()
    return Standing(IdeaStatus(found.status), found.merged_into_id)  # type: ignore[attr-defined]


async def record(
    post: Post,
    before: Standing,
    status: IdeaStatus,
    note: str,
    actor: str,
    reply: Post | None,
    conn: BaseDBAsyncClient,
    *,
    merged_into: Post | None = None,
) -> IdeaStatusChange:
    """Store the new status and a line of history, and keep the idea credit (recognition) in step."""
    now = datetime.now(UTC)
    await IdeaState.update_or_create(
        post_id=post.id,
        defaults={
            "group_id": post.group_id,  # type: ignore[attr-defined]
            "status": status,
            "note": note,
            "merged_into_id": merged_into.id if merged_into else None,
            "changed_by": actor,
            "changed_at": now,
        },
        using_db=conn,
    )
    change = await IdeaStatusChange.create(
        post_id=post.id,
        status=status,
        previous=before.status,
        note=note,
        actor=actor,
        reply_id=reply.id if reply else None,
        created_at=now,
        using_db=conn,
    )
    completed = credit_change(before.status, status)
    if completed is True:
        await ledger.idea_completed(post, at=now, conn=conn)
    elif completed is False:
        await ledger.idea_reopened(post, conn=conn)
    return change


async def set_status(
    ctx: Groups, author: Author, post: Post, status: IdeaStatus, note: str = ""
) -> IdeaStatusChange:
    """Set the idea's status as the staff member `author` (who moderates its community, or an admin)."""
    group = post.group
    check_idea(group, post)
    note = check_note(note)
    before = await standing_of(post.id)
    check_change(post.id, before, status, note)
    await require_active_moderator(ctx, group, author.actor)
    async with ctx.fed.transaction() as conn:
        reply = await publish(
            ctx, author, group, Draft(body=reply_text(status, note)), reply_to=post, conn=conn
        )
        return await record(post, before, status, note, author.actor, reply, conn)
