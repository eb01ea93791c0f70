"""Staff merge a duplicate idea into the original: its votes move (each voter counted once), it is
marked a duplicate pointing to the original and locked, and its author is told in a staff reply that
mentions them and links the original, which federates as every staff reply does. One transaction."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.errors import BadRequest
from fedicom.groups.context import Groups
from fedicom.groups.events import VoteCast
from fedicom.groups.models import Post, Vote
from fedicom.groups.votes import cast_at, recount
from fedicom.ideas.board_models import IdeaStatusChange
from fedicom.ideas.lifecycle import IdeaStatus, Standing, check_idea
from fedicom.ideas.status import record, standing_of
from fedicom.moderation.content import require_active_moderator
from fedicom.moderation.threads import lock_post
from fedicom.publishing.compose import Author, publish
from fedicom.publishing.drafts import Draft


@dataclass(frozen=True)
class Merged:
    duplicate: Post
    original: Post
    moved: int  # votes now on the original
    dropped: int  # votes of members who had voted on both: the original's kept
    change: IdeaStatusChange

    def as_json(self) -> dict[str, object]:
        return {
            "duplicate": self.duplicate.object_id,
            "original": self.original.object_id,
            "moved_votes": self.moved,
            "dropped_votes": self.dropped,
            "reply": self.change.reply_id,  # type: ignore[attr-defined]
        }


def check_merge(duplicate: Post, original: Post, dup: Standing, orig: Standing) -> None:
    """Within one community, two different ideas, neither merged already. Pure."""
    if duplicate.group_id != original.group_id:  # type: ignore[attr-defined]
        raise BadRequest(
            f"idea {duplicate.id} is in {duplicate.group.name} and idea {original.id} in "
            f"{original.group.name}: ideas are merged within one community"
        )
    if duplicate.id == original.id:
        raise BadRequest(f"idea {duplicate.id} cannot be merged into itself")
    if dup.merged_into is not None:
        raise BadRequest(f"idea {duplicate.id} was already merged into idea {dup.merged_into}")
    if orig.merged_into == duplicate.id:
        raise BadRequest(
            f"idea {original.id} was merged into idea {duplicate.id}: it is that idea's duplicate"
        )
    if orig.merged_into is not None:
        raise BadRequest(
            f"idea {original.id} was merged into idea {orig.merged_into}: merge into idea {orig.merged_into}"
        )


def merge_text(original: Post, page: str) -> str:
    title = (original.title or f"idea {original.id}").replace("[", "(").replace("]", ")")
    return f"Merged into [{title}]({page}): your idea's votes now count there. Follow it there."


async def move_votes(
    ctx: Groups, duplicate: Post, original: Post, conn: BaseDBAsyncClient
) -> tuple[int, int]:
    """Each vote on the duplicate moves to the original, unless its voter voted on the original too (that
    vote is kept, the other dropped); counts recomputed, and each move told as a withdrawal and a vote
    (recognition then credits the original's author exactly as if the vote had been cast there)."""
    group = duplicate.group
    votes = await Vote.filter(post_id=duplicate.id).using_db(conn)
    on_original = Vote.filter(post_id=original.id, actor__in=[v.actor for v in votes]).using_db(conn)
    already = {v.actor for v in await on_original}
    moved = 0
    for vote in votes:
        vote.post = duplicate
        at = cast_at(vote)
        await ctx.events.vote_changed.send(VoteCast(group, duplicate, vote.actor, 0, vote.value, at), conn)
        if vote.actor in already:
            await vote.delete(using_db=conn)
            continue
        await Vote.filter(id=vote.id).using_db(conn).update(post_id=original.id)
        await ctx.events.vote_changed.send(VoteCast(group, original, vote.actor, vote.value, None, at), conn)
        moved += 1
    await recount(duplicate, conn)
    await recount(original, conn)
    return moved, len(votes) - moved


async def merge(ctx: Groups, author: Author, duplicate: Post, original: Post) -> Merged:
    """Merge `duplicate` into `original` as the staff member `author`."""
    check_idea(duplicate.group, duplicate)
    dup, orig = await standing_of(duplicate.id), await standing_of(original.id)
    check_merge(duplicate, original, dup, orig)
    check_idea(original.group, original)
    await require_active_moderator(ctx, duplicate.group, author.actor)
    page = f"{ctx.uri(original.group)}/p/{original.id}"
    async with ctx.fed.transaction() as conn:
        draft = Draft(body=merge_text(original, page))
        reply = await publish(ctx, author, duplicate.group, draft, reply_to=duplicate, conn=conn)
        moved, dropped = await move_votes(ctx, duplicate, original, conn)
        note = f"Merged into idea {original.id}"
        change = await record(
            duplicate, dup, IdeaStatus.DUPLICATE, note, author.actor, reply, conn, merged_into=original
        )
        if not duplicate.locked:  # no more comments there: the conversation goes on under the original
            await lock_post(ctx, duplicate, author.actor, locked=True, reason=note)
    return Merged(duplicate, original, moved, dropped, change)
