"""Votes: Like (+1) and Dislike (-1) on posts, counted here and announced to members.

A refused vote (banned voter, blocked server, not a member) is told to the listeners of
`vote_refused`, so staff can count them; voters are never messaged about it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub.vocab import id_of
from fedicom.groups import policy
from fedicom.groups.announce import announce
from fedicom.groups.context import Groups
from fedicom.groups.events import PostRefused, VoteCast
from fedicom.groups.hooks import admit
from fedicom.groups.models import Post, PostState, Vote
from fedicom.groups.reasons import Kind, Refused

log = logging.getLogger("fedicom.votes")

VALUES = {"Like": 1, "Dislike": -1}


async def recount(post: Post, conn: BaseDBAsyncClient) -> None:
    post.upvotes = await Vote.filter(post=post, value=1).using_db(conn).count()
    post.downvotes = await Vote.filter(post=post, value=-1).using_db(conn).count()
    await post.save(using_db=conn, update_fields=["upvotes", "downvotes"])


async def handle_vote(ctx: Groups, activity: dict[str, Any]) -> int:
    """A Like or Dislike of a post we hold: one vote per actor and post, the newest wins."""
    actor = id_of(activity.get("actor")) or ""
    target = id_of(activity.get("object"))
    value = VALUES[activity["type"]]
    posts = (
        await Post.filter(object_id=target, deleted=False, state=PostState.VISIBLE).select_related("group")
        if target
        else []
    )
    for post in posts:
        group = post.group
        try:
            await admit(ctx.hooks, group, actor)
            roster = await ctx.rosters.of(group)
            decision = policy.may_vote(
                policy=group.posting_policy,
                is_member=actor in roster.members,
                is_moderator=actor in roster.moderators,
            )
            if not decision.accepted:
                raise decision.refusal()
        except Refused as exc:
            await _refused(ctx, post, activity, actor, exc)
            raise
        async with ctx.fed.transaction() as conn:
            before = await Vote.filter(post=post, actor=actor).using_db(conn).first()
            vote, _ = await Vote.update_or_create(
                post=post,
                actor=actor,
                defaults={"value": value, "activity_id": str(activity["id"])},
                using_db=conn,
            )
            await recount(post, conn)
            await announce(ctx, group, activity, conn=conn)
            if before is None or before.value != value:
                cast = VoteCast(group, post, actor, value, before.value if before else None, cast_at(vote))
                await ctx.events.vote_changed.send(cast, conn)
    return len(posts)


async def _refused(ctx: Groups, post: Post, activity: dict[str, Any], actor: str, exc: Refused) -> None:
    log.info("refused a vote by %s on %s in %s: %s", actor, post.object_id, post.group.name, exc.code)
    event = PostRefused(
        group=post.group,
        author=actor,
        activity_id=str(activity.get("id") or ""),
        object_id=post.object_id,
        code=exc.code,
        reason=exc.reason,
        kind=Kind.VOTE,
    )
    async with ctx.fed.transaction(error=exc.reason) as conn:
        await ctx.events.vote_refused.send(event, conn)


async def handle_undo_vote(ctx: Groups, activity: dict[str, Any], vote_id: str | None) -> int:
    """Undo{Like|Dislike}: the actor's vote is withdrawn (matched by the vote's id or its object)."""
    actor = id_of(activity.get("actor")) or ""
    inner = activity.get("object")
    votes = (
        await Vote.filter(actor=actor, activity_id=vote_id).select_related("post__group") if vote_id else []
    )
    if not votes and isinstance(inner, dict) and id_of(inner.get("object")):
        votes = await Vote.filter(actor=actor, post__object_id=id_of(inner.get("object"))).select_related(
            "post__group"
        )
    for vote in votes:
        async with ctx.fed.transaction() as conn:
            await vote.delete(using_db=conn)
            await recount(vote.post, conn)
            await announce(ctx, vote.post.group, activity, conn=conn)
            withdrawn = VoteCast(vote.post.group, vote.post, actor, 0, vote.value, cast_at(vote))
            await ctx.events.vote_changed.send(withdrawn, conn)
    return len(votes)


def cast_at(vote: Vote) -> datetime:
    """When a vote was first cast; votes stored before that was recorded count as cast with their post."""
    return vote.created_at or vote.post.created_at
