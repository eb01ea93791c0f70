"""What visitors read of a community: its threads sorted and paged, and a thread with its replies.

Only shown posts (visible, not deleted) are listed; a private community lists nothing to visitors.
A removed or deleted reply that others answered stays as a placeholder, so the conversation under it
keeps its shape; held posts never appear.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tortoise.expressions import F
from tortoise.queryset import QuerySet

from fedicom.errors import Forbidden, NotFound
from fedicom.groups.models import Group, Post, PostState
from fedicom.groups.ranking import Candidate, rank_hot

PAGE_SIZE = 20
HOT_CANDIDATES = 1000  # the newest threads ranked by Hot; older ones follow them newest first
MAX_DEPTH = 6  # reply levels shown on one page; deeper ones get a "continue this thread" link
MAX_REPLIES = 1000  # replies loaded for one thread page
REPLY_FIELDS = (
    "id",
    "parent_id",
    "root_id",
    "object_id",
    "author",
    "content",
    "published",
    "upvotes",
    "downvotes",
    "state",
    "deleted",
)


@dataclass
class PostPage:
    sort: str
    number: int
    posts: list[Post]
    pinned: list[Post]  # pinned threads, shown above the others on the first page
    has_next: bool


@dataclass
class Node:
    """A reply and the replies under it, as far down as one page shows."""

    post: Post
    children: list[Node] = field(default_factory=list)
    deeper: int = 0  # replies below the shown depth, reached through a link to this reply's page

    @property
    def shown(self) -> bool:
        return is_shown(self.post)


@dataclass
class Thread:
    root: Post  # the thread (top-level post)
    focus: Post  # the post the page is about: the thread itself, or a reply in it
    replies: list[Node]  # under the focus
    truncated: bool  # the thread has more than MAX_REPLIES replies; only the first are shown

    def posts(self) -> list[Post]:
        """The thread, the focus and every reply shown under it."""
        found = {self.root.id: self.root, self.focus.id: self.focus}
        stack = list(self.replies)
        while stack:
            node = stack.pop()
            if node.shown:
                found[node.post.id] = node.post
            stack.extend(node.children)
        return list(found.values())

    def authors(self) -> set[str]:
        found = {self.root.author, self.focus.author}
        stack = list(self.replies)
        while stack:
            node = stack.pop()
            found.add(node.post.author)
            stack.extend(node.children)
        return found


def is_shown(post: Post) -> bool:
    return post.state == PostState.VISIBLE and not post.deleted


def _threads(group: Group) -> QuerySet[Post]:
    return Post.filter(group=group, parent_id=None, deleted=False, state=PostState.VISIBLE)


def _unpinned(group: Group) -> QuerySet[Post]:
    return _threads(group).filter(pinned_at__isnull=True)


async def community_posts(
    group: Group, sort: str, number: int, ranks: HotRanks, now: datetime | None = None
) -> PostPage:
    """One page of a community's threads in the given order (hot, new or top)."""
    if group.private:
        return PostPage(sort, number, [], [], False)
    pinned = (
        await _threads(group).filter(pinned_at__not_isnull=True).order_by("-pinned_at") if number == 1 else []
    )
    unpinned = _unpinned(group)
    offset, want = (number - 1) * PAGE_SIZE, PAGE_SIZE + 1  # one more tells whether a next page exists
    rows: list[Post]
    if sort == "new":
        # arrival order: a remote server's claimed `published` cannot push a post to the top forever
        rows = await unpinned.order_by("-id").offset(offset).limit(want)
    elif sort == "top":
        rows = await (
            unpinned.annotate(net=F("upvotes") - F("downvotes"))
            .order_by("-net", "-id")
            .offset(offset)
            .limit(want)
        )
    else:
        rows = await _hot(group, offset, want, now or datetime.now(UTC), ranks)
    return PostPage(sort, number, rows[:PAGE_SIZE], list(pinned), len(rows) > PAGE_SIZE)


async def hottest(threads: QuerySet[Post], candidates: int, now: datetime) -> tuple[list[int], int]:
    """(the ids of the newest `candidates` threads, hottest first; how many were read)."""
    recent = (
        await threads.order_by("-id")
        .limit(candidates)
        .values("id", "upvotes", "downvotes", "published", "created_at")
    )
    # age from when we received it if the author's server claims a later time (a future date would
    # otherwise keep a post hot for as long as it likes)
    scored = [
        Candidate(r["id"], r["upvotes"] - r["downvotes"], min(r["published"], r["created_at"]))
        for r in recent
    ]
    return rank_hot(scored, now), len(recent)


@dataclass
class HotRanks:
    """Hot rankings per community, recomputed at most every `ttl` seconds (Lemmy too ranks periodically).

    Ranking reads up to HOT_CANDIDATES rows; a page view then reads only its twenty. New threads enter
    Hot within `ttl` (New shows them at once); a thread removed meanwhile is skipped when read.
    """

    ttl: float = 30.0
    _ranked: dict[int, tuple[float, list[int], bool]] = field(default_factory=dict)

    async def ranked(self, group: Group, now: datetime) -> tuple[list[int], bool]:
        """(thread ids hottest first, whether older threads exist beyond them)."""
        clock = time.monotonic()
        cached = self._ranked.get(group.id)
        if cached is None or clock - cached[0] > self.ttl:
            ids, read = await hottest(_unpinned(group), HOT_CANDIDATES, now)
            cached = (clock, ids, read == HOT_CANDIDATES)
            self._ranked[group.id] = cached
        return cached[1], cached[2]


async def _hot(group: Group, offset: int, want: int, now: datetime, ranks: HotRanks) -> list[Post]:
    ranked, more = await ranks.ranked(group, now)
    window = ranked[offset : offset + want]
    by_id = {p.id: p for p in await _unpinned(group).filter(id__in=window)} if window else {}
    rows = [by_id[i] for i in window if i in by_id]
    if len(window) < want and more:
        rows += (
            await _unpinned(group).order_by("-id").offset(max(offset, len(ranked))).limit(want - len(window))
        )
    return rows


async def thread_of(group: Group, post_id: int) -> Thread:
    """A thread, or one reply of it, with the shown replies under it (nested MAX_DEPTH deep)."""
    if group.private:
        raise Forbidden(f"the posts of {group.name}, a private community, are shown to its members only")
    post = await Post.get_or_none(id=post_id, group=group)
    if post is None or not is_shown(post):
        raise NotFound(f"there is no post {post_id} in {group.name}")
    root = post
    if not post.is_thread:
        found = await Post.get_or_none(id=post.root_id, group=group)  # type: ignore[attr-defined]
        if found is None or not is_shown(found):
            raise NotFound(f"the thread of post {post_id} is no longer shown")
        root = found
    rows = (
        await Post.filter(root_id=root.id, group=group)
        .order_by("id")
        .limit(MAX_REPLIES + 1)
        .only(*REPLY_FIELDS)  # not the stored documents: a big thread would decode them all for nothing
    )
    children: dict[int, list[Post]] = defaultdict(list)
    for row in rows[:MAX_REPLIES]:
        children[row.parent_id].append(row)  # type: ignore[attr-defined]
    return Thread(root, post, _nodes(children, post.id, 1), len(rows) > MAX_REPLIES)


def _nodes(children: dict[int, list[Post]], parent_id: int, depth: int) -> list[Node]:
    """The replies under one post: best first (score, then oldest), placeholders kept only with answers."""
    nodes = []
    for post in sorted(children.get(parent_id, []), key=lambda p: (-p.score, p.id)):
        if post.state == PostState.HELD:
            continue
        node = Node(post)
        if depth >= MAX_DEPTH:
            node.deeper = _count(children, post.id)
        else:
            node.children = _nodes(children, post.id, depth + 1)
        if node.shown or node.children or node.deeper:
            nodes.append(node)
    return nodes


def _count(children: dict[int, list[Post]], parent_id: int) -> int:
    total, stack = 0, list(children.get(parent_id, []))
    while stack:
        post = stack.pop()
        if is_shown(post):
            total += 1
        stack.extend(children.get(post.id, []))
    return total
