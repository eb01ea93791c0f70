"""Control of threads: locking (no new replies) and pinning (the group's `featured` collection).

Federated as Lemmy does: `Lock` / `Undo{Lock}`, and `Add` / `Remove` with the featured collection
as target, each sent as the moderator and announced by the group. Remote moderators' activities of
these kinds are applied and announced onwards.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fedicom.activitypub.vocab import id_of, new_activity_uri
from fedicom.errors import BadRequest
from fedicom.groups.context import Groups
from fedicom.groups.models import Post, PostState
from fedicom.moderation import modlog
from fedicom.moderation.content import moderated_by, publish_action, require_active_moderator
from fedicom.moderation.content_wire import build_featured, build_lock, build_undo
from fedicom.moderation.models import ModlogAction


async def lock_post(ctx: Groups, post: Post, actor: str, *, locked: bool, reason: str = "") -> dict[str, Any]:
    """Lock a thread (or one comment's subthread) against new replies, or unlock it."""
    group = post.group
    await require_active_moderator(ctx, group, actor)
    _check_shown(post)
    if post.locked == locked:
        raise BadRequest(f"post {post.id} is already {'locked' if locked else 'unlocked'}")
    lock = build_lock(
        activity_uri=new_activity_uri(ctx.fed.base_url),
        actor=actor,
        object_uri=post.object_id,
        group_uri=ctx.uri(group),
        reason=reason.strip() if locked else "",
        private=group.private,
    )
    activity = (
        lock
        if locked
        else build_undo(
            activity_uri=new_activity_uri(ctx.fed.base_url), actor=actor, undone=lock, reason=reason.strip()
        )
    )
    await _set_locked(ctx, post, activity, actor, locked, reason.strip(), ours=True)
    return activity


async def pin_post(ctx: Groups, post: Post, actor: str, *, pinned: bool) -> dict[str, Any]:
    """Pin a thread to the community's featured collection, or unpin it."""
    group = post.group
    await require_active_moderator(ctx, group, actor)
    _check_shown(post)
    if not post.is_thread:
        raise BadRequest(f"post {post.id} is a comment; only threads are pinned")
    if (post.pinned_at is not None) == pinned:
        raise BadRequest(f"post {post.id} is already {'pinned' if pinned else 'not pinned'}")
    activity = build_featured(
        "Add" if pinned else "Remove",
        activity_uri=new_activity_uri(ctx.fed.base_url),
        actor=actor,
        object_uri=post.object_id,
        group_uri=ctx.uri(group),
        private=group.private,
    )
    await _set_pinned(ctx, post, activity, actor, pinned, ours=True)
    return activity


async def handle_lock(ctx: Groups, activity: dict[str, Any], *, locked: bool) -> int:
    """An inbound `Lock` (or `Undo{Lock}`) from a moderator of the community holding the post."""
    actor = id_of(activity.get("actor")) or ""
    lock = activity if locked else activity.get("object")
    target = id_of(lock.get("object")) if isinstance(lock, dict) else None
    changed = 0
    posts = await Post.filter(object_id=target).prefetch_related("group") if target else []
    for post in await moderated_by(ctx, posts, actor):
        if post.locked != locked:
            reason = str(activity.get("summary") or "")
            await _set_locked(ctx, post, activity, actor, locked, reason, ours=False)
            changed += 1
    return changed


async def handle_featured(ctx: Groups, activity: dict[str, Any], *, pinned: bool) -> int:
    """An inbound `Add`/`Remove` whose target is one of our communities' featured collections."""
    actor = id_of(activity.get("actor")) or ""
    target = id_of(activity.get("target")) or ""
    name = ctx.site.name_from_uri(target.removesuffix("/featured"))
    if not name or not target.endswith("/featured"):
        return 0
    group = await ctx.group(name)
    await require_active_moderator(ctx, group, actor)
    post = await Post.get_or_none(group=group, object_id=id_of(activity.get("object")) or "")
    if post is None:
        raise BadRequest(f"{group.name} holds no post {id_of(activity.get('object'))}")
    post.group = group
    if not post.is_thread:
        raise BadRequest("only threads are pinned")
    if (post.pinned_at is not None) == pinned:
        return 0
    await _set_pinned(ctx, post, activity, actor, pinned, ours=False)
    return 1


def _check_shown(post: Post) -> None:
    if post.deleted or post.state != PostState.VISIBLE:
        state = "deleted" if post.deleted else post.state
        raise BadRequest(f"post {post.id} is {state}; only shown posts are locked or pinned")


async def _set_locked(
    ctx: Groups, post: Post, activity: dict[str, Any], actor: str, locked: bool, reason: str, *, ours: bool
) -> None:
    async with ctx.fed.transaction() as conn:
        post.locked = locked
        await post.save(using_db=conn, update_fields=["locked"])
        await publish_action(ctx, post.group, activity, ours=ours, conn=conn)
        await modlog.record(
            actor,
            ModlogAction.LOCK_POST if locked else ModlogAction.UNLOCK_POST,
            post.object_id,
            reason=reason,
            community=post.group.name,
            details={"post": post.id, "activity": activity["id"]},
            conn=conn,
        )


async def _set_pinned(
    ctx: Groups, post: Post, activity: dict[str, Any], actor: str, pinned: bool, *, ours: bool
) -> None:
    async with ctx.fed.transaction() as conn:
        post.pinned_at = datetime.now(UTC) if pinned else None
        await post.save(using_db=conn, update_fields=["pinned_at"])
        await publish_action(ctx, post.group, activity, ours=ours, conn=conn)
        await modlog.record(
            actor,
            ModlogAction.PIN_POST if pinned else ModlogAction.UNPIN_POST,
            post.object_id,
            community=post.group.name,
            details={"post": post.id, "activity": activity["id"]},
            conn=conn,
        )
