"""Removing posts and comments, and restoring them: by local staff, or by remote moderators.

A removal is federated as Lemmy does it, `Delete` with `summary` from the moderator announced by
the group, plus `Undo` of the group's own boost of a thread so Mastodon followers stop seeing it
(Mastodon ignores a Delete from anyone but the author, federation.md §3.2). The post keeps its
content here, hidden, so that a restore (`Undo{Delete}`, and a new boost) brings it back. Replies
under a removed post keep their own state: they are hidden with their thread and come back with it.
"""

from __future__ import annotations

import json
from typing import Any

from fedicom.activitypub.models import OutgoingActivity
from fedicom.activitypub.vocab import id_of, new_activity_uri
from fedicom.errors import BadRequest
from fedicom.groups import posts as group_posts
from fedicom.groups.context import Groups
from fedicom.groups.models import Post, PostState
from fedicom.moderation import modlog
from fedicom.moderation.authority import is_moderator
from fedicom.moderation.content import (
    author_inbox,
    boost_again,
    moderated_by,
    publish_action,
    require_active_moderator,
    take_back_boost,
)
from fedicom.moderation.content_wire import build_remove, build_undo
from fedicom.moderation.models import ModlogAction
from fedicom.moderation.rules import removal_reason


async def remove_post(
    ctx: Groups, post: Post, actor: str, *, reason: str = "", rule: int | None = None
) -> dict[str, Any]:
    """A moderator removes a post or comment, citing the community's rule `rule` and/or a reason.

    Returns the Delete sent.
    """
    group = post.group
    await require_active_moderator(ctx, group, actor)
    _check_removable(post)
    why = removal_reason(group.name, group.rules, rule, reason)
    delete = build_remove(
        activity_uri=new_activity_uri(ctx.fed.base_url),
        actor=actor,
        object_uri=post.object_id,
        group_uri=ctx.uri(group),
        reason=why,
        private=group.private,
    )
    await _apply(ctx, post, delete, actor, why, rule=rule, ours=True)
    return delete


async def restore_post(ctx: Groups, post: Post, actor: str, *, reason: str = "") -> dict[str, Any]:
    """A moderator takes a removal back: `Undo{Delete}` announced, the thread boosted again."""
    group = post.group
    await require_active_moderator(ctx, group, actor)
    if post.state != PostState.REMOVED:
        raise BadRequest(f"post {post.id} is not removed (it is {post.state})")
    if post.announce_id is None:
        raise BadRequest(f"post {post.id} was rejected while held and never shown; nothing to restore")
    undone = await _last_removal(ctx, post, actor) or build_remove(
        activity_uri=new_activity_uri(ctx.fed.base_url),
        actor=actor,
        object_uri=post.object_id,
        group_uri=ctx.uri(group),
        reason=post.state_reason or "removed",
        private=group.private,
    )
    undo = build_undo(
        activity_uri=new_activity_uri(ctx.fed.base_url), actor=actor, undone=undone, reason=reason.strip()
    )
    await _undo(ctx, post, undo, actor, reason.strip(), ours=True)
    return undo


async def handle_remove(ctx: Groups, activity: dict[str, Any]) -> int:
    """An inbound `Delete` with `summary`: a remote moderator's removal (the author's own deletion
    when the actor wrote the post and moderates nothing here). Returns how many posts it removed."""
    actor = id_of(activity.get("actor")) or ""
    target = id_of(activity.get("object"))
    posts = await Post.filter(object_id=target).prefetch_related("group") if target else []
    if posts and posts[0].author == actor and not await is_moderator(ctx.site, posts[0].group, actor):
        return await group_posts.handle_delete(ctx, activity)
    removed = 0
    for post in await moderated_by(ctx, posts, actor):
        if post.deleted or post.state == PostState.REMOVED:
            continue  # already gone: removing twice changes nothing
        await _apply(ctx, post, activity, actor, str(activity.get("summary") or ""), rule=None, ours=False)
        removed += 1
    return removed


async def handle_restore(ctx: Groups, activity: dict[str, Any]) -> int:
    """An inbound `Undo{Delete with summary}` from a moderator: the removed post is shown again."""
    actor = id_of(activity.get("actor")) or ""
    inner = activity.get("object")
    target = id_of(inner.get("object")) if isinstance(inner, dict) else None
    posts = await Post.filter(object_id=target).prefetch_related("group") if target else []
    restored = 0
    for post in await moderated_by(ctx, posts, actor):
        if post.state != PostState.REMOVED or post.deleted or post.announce_id is None:
            continue
        await _undo(ctx, post, activity, actor, str(activity.get("summary") or ""), ours=False)
        restored += 1
    return restored


def _check_removable(post: Post) -> None:
    if post.deleted:
        raise BadRequest(f"post {post.id} was deleted by its author")
    if post.state == PostState.REMOVED:
        raise BadRequest(f"post {post.id} is already removed")
    if post.state == PostState.HELD:
        raise BadRequest(f"post {post.id} is held for review: reject it with `fedicom held reject {post.id}`")


async def _apply(
    ctx: Groups, post: Post, delete: dict[str, Any], actor: str, reason: str, *, rule: int | None, ours: bool
) -> None:
    group = post.group
    was_announced = post.state == PostState.VISIBLE and post.announce_id is not None
    inbox = await author_inbox(ctx, post.author) if post.is_thread and was_announced else None
    async with ctx.fed.transaction() as conn:
        post.state, post.state_reason, post.activity = PostState.REMOVED, reason, None
        await post.save(using_db=conn, update_fields=["state", "state_reason", "activity"])
        await ctx.events.post_state_changed.send(post, conn)
        if post.root_id is not None:  # type: ignore[attr-defined]
            await group_posts.recount_replies(post.root_id, conn)  # type: ignore[attr-defined]
        if was_announced:
            await publish_action(ctx, group, delete, ours=ours, conn=conn)
            await take_back_boost(ctx, group, post, inbox=inbox, conn=conn)
        await modlog.record(
            actor,
            ModlogAction.REMOVE_POST,
            post.object_id,
            reason=reason,
            community=group.name,
            details={"post": post.id, "rule": rule, "activity": delete["id"]},
            conn=conn,
        )


async def _undo(
    ctx: Groups, post: Post, undo: dict[str, Any], actor: str, reason: str, *, ours: bool
) -> None:
    group = post.group
    inbox = await author_inbox(ctx, post.author) if post.is_thread else None
    async with ctx.fed.transaction() as conn:
        post.state, post.state_reason = PostState.VISIBLE, ""
        await post.save(using_db=conn, update_fields=["state", "state_reason"])
        await ctx.events.post_state_changed.send(post, conn)
        if post.root_id is not None:  # type: ignore[attr-defined]
            await group_posts.recount_replies(post.root_id, conn)  # type: ignore[attr-defined]
        await publish_action(ctx, group, undo, ours=ours, conn=conn)
        await boost_again(ctx, group, post, inbox=inbox, conn=conn)
        await modlog.record(
            actor,
            ModlogAction.RESTORE_POST,
            post.object_id,
            reason=reason,
            community=group.name,
            details={"post": post.id, "activity": undo["id"]},
            conn=conn,
        )


async def _last_removal(ctx: Groups, post: Post, actor: str) -> dict[str, Any] | None:
    """The Delete by which `actor` removed the post, as the group announced it, if it was theirs."""
    record = (
        await OutgoingActivity.filter(
            actor=ctx.uri(post.group), type="Announce", inner_type="Delete", object_id=post.object_id
        )
        .order_by("-id")
        .first()
    )
    inner = json.loads(record.payload).get("object") if record else None
    if isinstance(inner, dict) and inner.get("summary") and id_of(inner.get("actor")) == actor:
        return inner
    return None
