"""The queue of held posts: what screening kept back, approved or rejected by a moderator.

Approval publishes the post exactly as a post that was never held (posts.publish: the activity as
received, and the boost for a thread); a rejected post was never announced, so nothing is sent.
"""

from __future__ import annotations

from fedicom.activitypub.vocab import new_activity_uri
from fedicom.errors import BadRequest
from fedicom.groups import posts as group_posts
from fedicom.groups.context import Groups
from fedicom.groups.models import Group, Post, PostState
from fedicom.moderation import modlog
from fedicom.moderation.content import author_inbox, require_active_moderator
from fedicom.moderation.models import ModlogAction


async def list_held(community: Group | None = None, *, limit: int = 100, offset: int = 0) -> list[Post]:
    """Held posts, oldest first (the order they should be reviewed in)."""
    query = Post.filter(state=PostState.HELD, deleted=False)
    if community is not None:
        query = query.filter(group_id=community.id)
    return await query.order_by("id").offset(offset).limit(limit).prefetch_related("group")


async def held_count(community: Group) -> int:
    return await Post.filter(group_id=community.id, state=PostState.HELD, deleted=False).count()


async def list_posts(
    community: Group, state: str = PostState.VISIBLE, *, limit: int = 50, offset: int = 0
) -> list[Post]:
    """A community's posts in `state` (or `all`) for moderators: the held queue in review order,
    the others newest first; `offset` and `limit` page them."""
    if state == PostState.HELD:
        return await list_held(community, limit=limit, offset=offset)
    query = Post.filter(group_id=community.id, deleted=False)
    if state != "all":
        query = query.filter(state=state)
    return await query.order_by("-id").offset(offset).limit(limit)


async def approve_post(ctx: Groups, post: Post, actor: str) -> Post:
    """Show and announce a held post."""
    group = post.group
    await require_active_moderator(ctx, group, actor)
    _check_held(post)
    activity = post.activity
    if not isinstance(activity, dict):
        raise BadRequest(f"post {post.id} has no stored activity to announce")
    inbox = await author_inbox(ctx, post.author) if post.is_thread else None
    async with ctx.fed.transaction() as conn:
        post.state, post.state_reason, post.activity = PostState.VISIBLE, "", None
        post.announce_id = new_activity_uri(ctx.fed.base_url)
        await post.save(using_db=conn, update_fields=["state", "state_reason", "activity", "announce_id"])
        await ctx.events.post_state_changed.send(post, conn)
        if post.root_id is not None:  # type: ignore[attr-defined]
            await group_posts.recount_replies(post.root_id, conn)  # type: ignore[attr-defined]
        await group_posts.publish(ctx, group, post, activity, author_inbox=inbox, conn=conn)
        await modlog.record(
            actor,
            ModlogAction.APPROVE_POST,
            post.object_id,
            community=group.name,
            details={"post": post.id, "announce": post.announce_id},
            conn=conn,
        )
    return post


async def reject_post(ctx: Groups, post: Post, actor: str, *, reason: str) -> Post:
    """Turn a held post down: it stays removed here and was never sent anywhere."""
    group = post.group
    await require_active_moderator(ctx, group, actor)
    _check_held(post)
    if not reason.strip():
        raise BadRequest("say why the post is rejected: a reason is required")
    held_because = post.state_reason
    async with ctx.fed.transaction() as conn:
        post.state, post.state_reason, post.activity = PostState.REMOVED, reason.strip(), None
        await post.save(using_db=conn, update_fields=["state", "state_reason", "activity"])
        await ctx.events.post_state_changed.send(post, conn)
        await modlog.record(
            actor,
            ModlogAction.REJECT_POST,
            post.object_id,
            reason=reason.strip(),
            community=group.name,
            details={"post": post.id, "held_because": held_because},
            conn=conn,
        )
    return post


def _check_held(post: Post) -> None:
    if post.deleted:
        raise BadRequest(f"post {post.id} was deleted by its author")
    if post.state != PostState.HELD:
        raise BadRequest(f"post {post.id} is not held (it is {post.state})")
