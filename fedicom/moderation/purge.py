"""Removing a batch of posts for a clean-up job (a ban with removeData, a suspension), and telling
the members of each community in the shape their software reads (content.tell_removal)."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.groups import posts as group_posts
from fedicom.groups.context import Groups
from fedicom.groups.models import Post, PostState
from fedicom.moderation.content import tell_removal


async def remove_posts(
    ctx: Groups,
    posts: list[Post],
    moderator: str | None,
    reason: str,
    conn: BaseDBAsyncClient,
    *,
    tombstone: bool,
) -> int:
    """Remove `posts` (their `group` fetched) in the caller's transaction; how many were.

    A banned actor's posts become `removed` with `reason` (restorable, as a moderator's removal); a
    suspended server's are tombstoned (`tombstone`: deleted, their content dropped). Members hear of
    the posts they were shown, with the `moderator`'s Delete when one is given (our staff member).
    """
    if not posts:
        return 0
    ids = [p.id for p in posts]
    if tombstone:
        await Post.filter(id__in=ids).using_db(conn).update(deleted=True, content="", activity=None)
    else:
        await (
            Post.filter(id__in=ids)
            .using_db(conn)
            .update(state=PostState.REMOVED, state_reason=reason, activity=None)
        )
    for post in posts:
        if post.state == PostState.VISIBLE and post.announce_id is not None:
            await tell_removal(ctx, post.group, post, moderator=moderator, reason=reason, conn=conn)
    roots = {p.root_id for p in posts if p.root_id is not None}  # type: ignore[attr-defined]
    for root in sorted(roots - set(ids)):
        await group_posts.recount_replies(root, conn)
    return len(posts)
