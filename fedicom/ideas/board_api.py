"""Admin API of the idea board: list a board's ideas (filtered by status, sorted), set an idea's
status, merge a duplicate into the original (registered on import)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from fedicom.groups.models import Post
from fedicom.ideas.board import ShownStatus, ordered, statuses_of
from fedicom.ideas.lifecycle import MAX_NOTE, IdeaStatus, check_board
from fedicom.ideas.merging import merge
from fedicom.ideas.status import set_status
from fedicom.moderation.api.content import PostPath, post_of
from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import NO_NUL, CommunityPath, Strict
from fedicom.moderation.api.registry import api
from fedicom.publishing.compose import Author, find_post


class IdeasQuery(Strict):
    status: IdeaStatus | None = Field(None, description="Only ideas in this status.")
    sort: Literal["top", "hot", "new"] = Field("top", description="By votes, trending, or newest.")
    limit: int = Field(50, ge=1, le=500)


class IdeaOut(BaseModel):
    id: int = Field(description="The idea's number on this server.")
    object_id: str = Field(description="Its ActivityPub id.")
    title: str | None
    author: str
    score: int
    upvotes: int
    downvotes: int
    status: IdeaStatus
    note: str = Field(description="What staff said with the status.")
    merged_into: int | None = Field(description="The original's number, for a merged duplicate.")
    merged_here: int = Field(description="Duplicates merged into this idea.")
    published: datetime


class StatusBody(Strict):
    status: IdeaStatus = Field(description="Any status but duplicate, which merging sets.")
    note: str = Field("", max_length=MAX_NOTE, pattern=NO_NUL, description="Told to members with it.")


class MergeBody(Strict):
    into: str = Field(
        min_length=1,
        max_length=1024,
        pattern=NO_NUL,
        description="The original idea: its number, ActivityPub id or page address.",
    )


class MergeOut(BaseModel):
    duplicate: IdeaOut
    original: IdeaOut
    moved_votes: int = Field(description="Votes now on the original.")
    dropped_votes: int = Field(description="Votes of members who had voted on both: one kept.")


def idea_out(post: Post, shown: ShownStatus) -> IdeaOut:
    return IdeaOut(
        id=post.id,
        object_id=post.object_id,
        title=post.title,
        author=post.author,
        score=post.score,
        upvotes=post.upvotes,
        downvotes=post.downvotes,
        status=shown.status,
        note=shown.note,
        merged_into=shown.merged_into,
        merged_here=shown.merged_here,
        published=post.published,
    )


async def _out(post: Post) -> IdeaOut:
    await post.refresh_from_db(fields=["upvotes", "downvotes"])  # votes moved by a merge
    return idea_out(post, (await statuses_of(post.group, [post]))[post.id])


@api.endpoint(
    "GET",
    "/communities/{name}/ideas",
    summary="List an idea board's ideas, filtered by status and sorted",
    scope="read",
    tag="ideas",
    path_model=CommunityPath,
    query=IdeasQuery,
    response=list[IdeaOut],
)
async def ideas_list(call: Call, path: CommunityPath, query: IdeasQuery) -> list[IdeaOut]:
    """Shown ideas only; 400 for a community that is not an idea board."""
    group = await call.community(path.name)
    check_board(group)
    posts = await ordered(group, query.sort, query.status, 0, query.limit)
    shown = await statuses_of(group, posts)
    return [idea_out(p, shown[p.id]) for p in posts]


@api.endpoint(
    "POST",
    "/communities/{name}/ideas/{id}/status",
    summary="Set an idea's status, told to members as a staff reply",
    scope="moderate",
    tag="ideas",
    path_model=PostPath,
    body=StatusBody,
    response=IdeaOut,
)
async def idea_status(call: Call, path: PostPath, body: StatusBody) -> IdeaOut:
    """400 for a comment, a thread outside an idea board, `duplicate`, a merged idea, or the same status
    without a note; nothing is changed then."""
    post = await post_of(call, path)
    await set_status(call.ctx, Author(call.actor, call.files), post, body.status, body.note)
    return await _out(post)


@api.endpoint(
    "POST",
    "/communities/{name}/ideas/{id}/merge",
    summary="Merge a duplicate idea into the original: votes move, its author is told",
    scope="moderate",
    tag="ideas",
    path_model=PostPath,
    body=MergeBody,
    response=MergeOut,
)
async def idea_merge(call: Call, path: PostPath, body: MergeBody) -> MergeOut:
    """400 across communities, into itself, into its own duplicate or into a merged idea; nothing changed."""
    duplicate = await post_of(call, path)
    original = await find_post(call.ctx, body.into)
    merged = await merge(call.ctx, Author(call.actor, call.files), duplicate, original)
    return MergeOut(
        duplicate=await _out(duplicate),
        original=await _out(original),
        moved_votes=merged.moved,
        dropped_votes=merged.dropped,
    )
