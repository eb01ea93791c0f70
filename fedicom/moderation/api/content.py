"""Admin API: a community's posts (held queue, removal, restore, lock, pin) and filters."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from fedicom.errors import NotFound
from fedicom.groups.models import Group, Post, PostState
from fedicom.groups.text import plain_text
from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import NO_NUL, CommunityPath, IdPath, Name, Reason, Strict, Text
from fedicom.moderation.api.registry import api
from fedicom.moderation.filters import MAX_PATTERN, add_filter, list_filters, remove_filter
from fedicom.moderation.held import approve_post, list_posts, reject_post
from fedicom.moderation.models import Filter, FilterAction
from fedicom.moderation.removals import remove_post, restore_post
from fedicom.moderation.threads import lock_post, pin_post


class PostPath(Strict):
    name: Name
    id: int = Field(ge=1, le=2**62, description="The post's number on this server.")


class PostsQuery(Strict):
    state: PostState = PostState.VISIBLE
    limit: int = Field(50, ge=1, le=500)


class PostOut(BaseModel):
    id: int
    object_id: str = Field(description="The post's ActivityPub id.")
    community: str
    kind: Literal["thread", "reply"]
    author: str
    title: str | None
    excerpt: str
    state: PostState
    state_reason: str = Field(description="Why it is held or removed.")
    locked: bool
    pinned: bool
    published: datetime
    received: datetime


class RejectBody(Strict):
    reason: Reason


class RemoveBody(Strict):
    reason: Text = Field("", description="Why; sent with the removal (Lemmy shows it).")
    rule: int | None = Field(None, ge=1, le=1000, description="The number of the community rule broken.")


class ReasonBody(Strict):
    reason: Text = ""


class FilterCreate(Strict):
    pattern: str = Field(min_length=1, max_length=MAX_PATTERN, pattern=NO_NUL)
    regex: bool = Field(False, description="An RE2 regular expression rather than a keyword.")
    action: FilterAction = FilterAction.HOLD
    comment: Text = ""


class FilterOut(BaseModel):
    id: int
    community: str | None = Field(description="None for an instance-wide filter.")
    pattern: str
    regex: bool
    action: FilterAction
    comment: str
    created_at: datetime


class FilterPath(Strict):
    name: Name
    id: int = Field(ge=1, le=2**31 - 1)


def post_out(post: Post, group: Group) -> PostOut:
    return PostOut(
        id=post.id,
        object_id=post.object_id,
        community=group.name,
        kind="thread" if post.is_thread else "reply",
        author=post.author,
        title=post.title,
        excerpt=plain_text(post.content, 200),
        state=post.state,
        state_reason=post.state_reason,
        locked=post.locked,
        pinned=post.pinned_at is not None,
        published=post.published,
        received=post.created_at,
    )


def filter_out(row: Filter, community: Group | None) -> FilterOut:
    return FilterOut(
        id=row.id,
        community=community.name if community else None,
        pattern=row.pattern,
        regex=row.regex,
        action=row.action,
        comment=row.comment,
        created_at=row.created_at,
    )


async def post_of(call: Call, path: PostPath) -> Post:
    """The post of a community the caller moderates (403 otherwise, 404 when not there)."""
    group = await call.community(path.name)
    post = await Post.get_or_none(id=path.id, group_id=group.id, deleted=False)
    if post is None:
        raise NotFound(f"there is no post {path.id} in {group.name}")
    post.group = group
    return post


@api.endpoint(
    "GET",
    "/communities/{name}/posts",
    summary="List a community's posts by state (the held queue with state=held)",
    scope="read",
    tag="posts",
    path_model=CommunityPath,
    query=PostsQuery,
    response=list[PostOut],
)
async def posts_list(call: Call, path: CommunityPath, query: PostsQuery) -> list[PostOut]:
    """Held posts oldest first (the order to review them in); others newest first."""
    group = await call.community(path.name)
    return [post_out(p, group) for p in await list_posts(group, query.state, limit=query.limit)]


@api.endpoint(
    "POST",
    "/communities/{name}/posts/{id}/approve",
    summary="Approve a held post (it is announced)",
    scope="moderate",
    tag="posts",
    path_model=PostPath,
    response=PostOut,
)
async def posts_approve(call: Call, path: PostPath) -> PostOut:
    post = await post_of(call, path)
    return post_out(await approve_post(call.ctx, post, call.actor), post.group)


@api.endpoint(
    "POST",
    "/communities/{name}/posts/{id}/reject",
    summary="Reject a held post (it is never announced)",
    scope="moderate",
    tag="posts",
    path_model=PostPath,
    body=RejectBody,
    response=PostOut,
)
async def posts_reject(call: Call, path: PostPath, body: RejectBody) -> PostOut:
    post = await post_of(call, path)
    return post_out(await reject_post(call.ctx, post, call.actor, reason=body.reason), post.group)


@api.endpoint(
    "POST",
    "/communities/{name}/posts/{id}/remove",
    summary="Remove a post or comment (Delete with summary, and Undo of the boost)",
    scope="moderate",
    tag="posts",
    path_model=PostPath,
    body=RemoveBody,
    response=PostOut,
)
async def posts_remove(call: Call, path: PostPath, body: RemoveBody) -> PostOut:
    """Give a reason, a rule number, or both: the rule's text is cited in the reason."""
    post = await post_of(call, path)
    await remove_post(call.ctx, post, call.actor, reason=body.reason, rule=body.rule)
    return post_out(post, post.group)


@api.endpoint(
    "POST",
    "/communities/{name}/posts/{id}/restore",
    summary="Restore a removed post (Undo of the removal, and a new boost)",
    scope="moderate",
    tag="posts",
    path_model=PostPath,
    body=ReasonBody,
    response=PostOut,
)
async def posts_restore(call: Call, path: PostPath, body: ReasonBody) -> PostOut:
    post = await post_of(call, path)
    await restore_post(call.ctx, post, call.actor, reason=body.reason)
    return post_out(post, post.group)


async def _lock(call: Call, path: PostPath, body: ReasonBody, *, locked: bool) -> PostOut:
    post = await post_of(call, path)
    await lock_post(call.ctx, post, call.actor, locked=locked, reason=body.reason)
    return post_out(post, post.group)


@api.endpoint(
    "POST",
    "/communities/{name}/posts/{id}/lock",
    summary="Lock a thread or comment: new replies under it are refused",
    scope="moderate",
    tag="posts",
    path_model=PostPath,
    body=ReasonBody,
    response=PostOut,
)
async def posts_lock(call: Call, path: PostPath, body: ReasonBody) -> PostOut:
    return await _lock(call, path, body, locked=True)


@api.endpoint(
    "POST",
    "/communities/{name}/posts/{id}/unlock",
    summary="Unlock a thread or comment",
    scope="moderate",
    tag="posts",
    path_model=PostPath,
    body=ReasonBody,
    response=PostOut,
)
async def posts_unlock(call: Call, path: PostPath, body: ReasonBody) -> PostOut:
    return await _lock(call, path, body, locked=False)


@api.endpoint(
    "POST",
    "/communities/{name}/posts/{id}/pin",
    summary="Pin a thread to the community's featured collection",
    scope="moderate",
    tag="posts",
    path_model=PostPath,
    response=PostOut,
)
async def posts_pin(call: Call, path: PostPath) -> PostOut:
    return await _pin(call, path, pinned=True)


@api.endpoint(
    "POST",
    "/communities/{name}/posts/{id}/unpin",
    summary="Unpin a thread",
    scope="moderate",
    tag="posts",
    path_model=PostPath,
    response=PostOut,
)
async def posts_unpin(call: Call, path: PostPath) -> PostOut:
    return await _pin(call, path, pinned=False)


async def _pin(call: Call, path: PostPath, *, pinned: bool) -> PostOut:
    post = await post_of(call, path)
    await pin_post(call.ctx, post, call.actor, pinned=pinned)
    return post_out(post, post.group)


@api.endpoint(
    "GET",
    "/communities/{name}/filters",
    summary="List a community's own filters",
    scope="read",
    tag="filters",
    path_model=CommunityPath,
    response=list[FilterOut],
)
async def filters_list(call: Call, path: CommunityPath) -> list[FilterOut]:
    group = await call.community(path.name)
    return [filter_out(f, group) for f in await list_filters(group)]


@api.endpoint(
    "POST",
    "/communities/{name}/filters",
    summary="Add a filter to a community",
    scope="moderate",
    tag="filters",
    path_model=CommunityPath,
    body=FilterCreate,
    response=FilterOut,
    status=201,
)
async def filters_add(call: Call, path: CommunityPath, body: FilterCreate) -> FilterOut:
    """Keywords match whole words, expressions use RE2 syntax; both ignore case. A bad one is a 400."""
    group = await call.community(path.name)
    row = await add_filter(
        body.pattern,
        regex=body.regex,
        action=body.action,
        community=group,
        comment=body.comment,
        site=call.ctx.site,
        moderator=call.actor,
    )
    return filter_out(row, group)


@api.endpoint(
    "DELETE",
    "/communities/{name}/filters/{id}",
    summary="Remove a community's filter",
    scope="moderate",
    tag="filters",
    path_model=FilterPath,
)
async def filters_remove(call: Call, path: FilterPath) -> None:
    group = await call.community(path.name)
    await remove_filter(path.id, community=group, site=call.ctx.site, moderator=call.actor)


@api.endpoint(
    "GET",
    "/filters",
    summary="List instance-wide filters",
    scope="read",
    tag="filters",
    response=list[FilterOut],
)
async def instance_filters_list(call: Call) -> list[FilterOut]:
    return [filter_out(f, None) for f in await list_filters(None)]


@api.endpoint(
    "POST",
    "/filters",
    summary="Add an instance-wide filter",
    scope="admin",
    tag="filters",
    body=FilterCreate,
    response=FilterOut,
    status=201,
)
async def instance_filters_add(call: Call, body: FilterCreate) -> FilterOut:
    row = await add_filter(
        body.pattern,
        regex=body.regex,
        action=body.action,
        comment=body.comment,
        site=call.ctx.site,
        moderator=call.actor,
    )
    return filter_out(row, None)


@api.endpoint(
    "DELETE",
    "/filters/{id}",
    summary="Remove any filter (instance-wide or a community's)",
    scope="admin",
    tag="filters",
    path_model=IdPath,
)
async def instance_filters_remove(call: Call, path: IdPath) -> None:
    await remove_filter(path.id, site=call.ctx.site, moderator=call.actor)
