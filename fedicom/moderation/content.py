"""What the content moderation services share: finding a post, checking who acts, publishing a
moderator's activity through the group, and taking a thread's boost back or giving it again.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub.columns import fits
from fedicom.activitypub.vocab import new_activity_uri
from fedicom.errors import BadRequest, FetchError, Forbidden, NotFound, shown
from fedicom.groups.announce import announce, boost, latest_boost
from fedicom.groups.context import Groups
from fedicom.groups.hooks import admit
from fedicom.groups.models import Group, Post
from fedicom.moderation.authority import require_moderator
from fedicom.moderation.content_wire import build_remove, build_undo


async def get_post(ref: str, community: str | None = None) -> Post:
    """A post by its number here or by its ActivityPub id (`community` picks among cross-posts)."""
    ref = ref.strip()
    if ref.isascii() and ref.isdigit() and len(ref) <= 18:  # a post number (BIGINT)
        query = Post.filter(id=int(ref))
    elif fits(Post, "object_id", ref):
        query = Post.filter(object_id=ref)
    else:
        raise NotFound(f"there is no post {shown(ref)}")
    if community:
        query = query.filter(group__name=community.lower())
    posts = await query.prefetch_related("group").limit(2)
    where = f" in {community}" if community else ""
    if not posts:
        raise NotFound(f"there is no post {ref}{where}")
    if len(posts) > 1:
        names = ", ".join(p.group.name for p in posts)
        raise BadRequest(f"{ref} is in several communities ({names}); say which with --community")
    return posts[0]


async def require_active_moderator(ctx: Groups, group: Group, actor: str) -> None:
    """The actor moderates the community (or administers the instance) and is not banned from it nor
    on a suspended server: a moderator cut off from the community must not act on its posts (unlike
    authority.require_moderator, which only asks who holds the role)."""
    await admit(ctx.hooks, group, actor)
    await require_moderator(ctx.site, group, actor)


async def moderated_by(ctx: Groups, posts: list[Post], actor: str) -> list[Post]:
    """The posts (one per community holding it) in communities `actor` moderates; Forbidden with
    the reason when there are posts but none of them is."""
    allowed, refusals = [], []
    for post in posts:
        try:
            await require_active_moderator(ctx, post.group, actor)
            allowed.append(post)
        except Forbidden as exc:
            refusals.append(exc.reason)
    if refusals and not allowed:
        raise Forbidden("; ".join(refusals))
    return allowed


async def publish_action(
    ctx: Groups,
    group: Group,
    activity: dict[str, Any],
    *,
    ours: bool,
    conn: BaseDBAsyncClient,
    members: list[str] | None = None,
) -> None:
    """Announce a moderator's activity to the members (or to `members`). Our staff member's own
    activity (`ours`, not one received) is also recorded as theirs, so its id can be dereferenced like
    all we publish."""
    if ours:
        actor = str(activity["actor"])
        await ctx.fed.send(activity, actor=actor, inboxes=[], public=not group.private, conn=conn)
    await announce(ctx, group, activity, conn=conn, inboxes=members)


async def author_inbox(ctx: Groups, author: str) -> str | None:
    """Where the author hears of boosts of their post (None when their server cannot be reached)."""
    try:
        return (await ctx.fed.actors.get(author)).delivery_inbox
    except FetchError:
        return None


async def take_back_boost(
    ctx: Groups,
    group: Group,
    post: Post,
    *,
    inbox: str | None,
    conn: BaseDBAsyncClient,
    members: list[str] | None = None,
) -> dict[str, Any] | None:
    """Undo the group's boost of a thread: Mastodon ignores a moderator's Delete, but drops the boost.

    Sent to every member, or to `members` (those whose software shows boosts), and to `inbox`."""
    boosted = await latest_boost(ctx, group, post.object_id, conn=conn)
    if boosted is None:
        return None
    uri = ctx.uri(group)
    undo = build_undo(activity_uri=new_activity_uri(ctx.fed.base_url), actor=uri, undone=boosted)
    told = list((await ctx.rosters.of(group)).inboxes) if members is None else members
    inboxes = told + ([inbox] if inbox else [])
    await ctx.fed.send(undo, actor=uri, inboxes=inboxes, public=not group.private, conn=conn)
    return undo


async def tell_removal(
    ctx: Groups, group: Group, post: Post, *, moderator: str | None, reason: str, conn: BaseDBAsyncClient
) -> None:
    """Tell the members that a shown post or comment was removed, each server in the shape its software
    reads (activitypub/software.py): FEP-1b12 readers (Lemmy, Mbin, PieFed…) the group's Announce of
    the moderator's `Delete` with `summary` (Lemmy's remove_note.json), microblogs (Mastodon…) the Undo
    of the thread's boost; a server whose software is not known gets both.

    Without a `moderator` of this server (a remote moderator's ban) only the boost is taken back: a
    Delete is not written in another server's name, and Lemmy-family members read `removeData` in the
    Block the group announced.
    """
    split = await ctx.fed.software.split(list((await ctx.rosters.of(group)).inboxes), conn)
    if moderator is not None and split.activity:
        delete = build_remove(
            activity_uri=new_activity_uri(ctx.fed.base_url),
            actor=moderator,
            object_uri=post.object_id,
            group_uri=ctx.uri(group),
            reason=reason,
            private=group.private,
        )
        await publish_action(ctx, group, delete, ours=True, conn=conn, members=split.activity)
    if split.shown:
        await take_back_boost(ctx, group, post, inbox=None, conn=conn, members=split.shown)


async def boost_again(
    ctx: Groups, group: Group, post: Post, *, inbox: str | None, conn: BaseDBAsyncClient
) -> None:
    """A restored thread is boosted anew for Mastodon followers (the old boost was undone)."""
    if post.is_thread:
        await boost(ctx, group, post.object_id, author=post.author, author_inbox=inbox, conn=conn)
