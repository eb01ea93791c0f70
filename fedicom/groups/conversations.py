"""What ActivityPub readers get of a conversation: a post at its page address, its replies, its context.

The same posts the thread page shows (browse.py): a private community's posts, held and removed posts,
and replies in a thread no longer shown are not found; a post its author deleted is gone. Collections
list ids only, oldest first, so a reader fetches what it does not hold yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from fedicom.errors import BadRequest, FedicomError, NotFound, shown
from fedicom.groups.communities import Site
from fedicom.groups.conversation_wire import post_uri
from fedicom.groups.models import Group, Post, PostState

_NUMBER = re.compile(r"[0-9]{1,18}")  # a BIGINT: longer numbers name no post


class Reading(StrEnum):
    """How a post's page address answers an ActivityPub reader."""

    OBJECT = "object"  # written here (by staff): its id is the page address, its stored document the object
    ELSEWHERE = "elsewhere"  # a member's post: the original lives on the author's server
    GONE = "gone"  # deleted by its author


@dataclass(frozen=True)
class PostReading:
    post: Post
    uri: str  # the post's page address
    thread_uri: str  # its thread's page address, which names the conversation (the same for a thread)
    reading: Reading


def post_number(raw: str) -> int:
    """The N of `/c/NAME/p/N`."""
    if not _NUMBER.fullmatch(raw):
        raise BadRequest(f"{shown(raw)} is not a post number")
    return int(raw)


async def read_post(site: Site, group: Group, post_id: int) -> PostReading:
    """A post as ActivityPub readers may see it at its page address (NotFound when they may not)."""
    if group.private:
        # members receive its posts from the group itself; unsigned and signed readers alike get nothing
        raise NotFound(f"the posts of {group.name}, a private community, reach its members only")
    post = await Post.get_or_none(id=post_id, group=group)
    if post is None or post.state == PostState.HELD:
        raise NotFound(f"there is no post {post_id} in {group.name}")
    root_id: int = post.root_id or post.id  # type: ignore[attr-defined]
    uri = post_uri(site.base_url, group.name, post.id)
    thread_uri = post_uri(site.base_url, group.name, root_id)
    if post.deleted:
        return PostReading(post, uri, thread_uri, Reading.GONE)
    if post.state != PostState.VISIBLE:
        raise NotFound(f"post {post_id} was removed by a moderator of {group.name}")
    if not post.is_thread and not await Post.exists(
        id=root_id, group=group, state=PostState.VISIBLE, deleted=False
    ):
        raise NotFound(f"the thread of post {post_id} is no longer shown")
    local = post.object_id == uri
    return PostReading(post, uri, thread_uri, Reading.OBJECT if local else Reading.ELSEWHERE)


async def shown_post(site: Site, group: Group, post_id: int) -> PostReading:
    """A post whose collections may be read: shown, and not deleted (410, the address is gone)."""
    found = await read_post(site, group, post_id)
    if found.reading == Reading.GONE:
        raise FedicomError(f"post {post_id} was deleted by its author", status=410)
    return found


async def replies_of(post: Post, page: int, size: int) -> tuple[list[str], int]:
    """One page of a post's direct replies (their ids) and how many there are."""
    replies = Post.filter(parent_id=post.id, state=PostState.VISIBLE, deleted=False)
    total = await replies.count()
    ids = (
        await replies.order_by("id").offset((page - 1) * size).limit(size).values_list("object_id", flat=True)
    )
    return list(ids), total  # type: ignore[arg-type]


async def context_of(thread: Post, page: int, size: int) -> tuple[list[str], int]:
    """One page of a conversation (the thread, then every shown reply at any depth) and its size.

    Arrival order is chronological here: a reply is only ever stored after what it answers.
    """
    replies = Post.filter(root_id=thread.id, state=PostState.VISIBLE, deleted=False)
    total = 1 + await replies.count()
    start = (page - 1) * size  # position in [thread, *replies]
    head = [thread.object_id] if start == 0 else []
    ids = (
        await replies.order_by("id")
        .offset(max(0, start - 1))
        .limit(size - len(head))
        .values_list("object_id", flat=True)
    )
    return head + list(ids), total  # type: ignore[arg-type]
