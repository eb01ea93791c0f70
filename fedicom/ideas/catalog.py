"""This process's idea indexes, one per community: built from the database at first use, then kept
up to date from the log of idea changes (`idea_change`), read past the last row seen before each use,
so a change stored by another process (a worker, another server) is seen at the next check.

The log is pruned after KEEP; an index not caught up for half that long is built again.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.groups.models import Group, Post, PostState
from fedicom.ideas.features import features, idea_text
from fedicom.ideas.index import IdeaIndex
from fedicom.ideas.models import IdeaChange

KEEP = 2 * 86400.0  # seconds the change log is kept
# a change row younger than this may still have rows with smaller ids uncommitted before it (PostgreSQL
# hands out ids at insert, transactions commit in any order): the index reads past it again until then
SETTLE = 60.0
PAGE = 2000  # ideas read at a time when an index is built
THRESHOLD = 0.5  # a score from which an idea is a likely duplicate (docs/ideas.md: how it was chosen)
LIKELY = 5  # likely duplicates kept per idea


@dataclass(frozen=True)
class Similar:
    """An idea of the community and how closely it says what the text says (0 to 1)."""

    post_id: int
    object_id: str
    title: str
    score: float

    def as_json(self) -> dict[str, object]:
        return {"id": self.object_id, "title": self.title, "score": self.score, "post": self.post_id}


@dataclass
class _Kept:
    index: IdeaIndex
    seen: int  # every idea_change row up to this one has been read
    at: float  # when it last caught up (monotonic)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    young: set[int] = field(default_factory=set)  # rows past `seen` read already (younger than SETTLE)


def _shown(row: dict[str, object]) -> bool:
    """Whether a post's row (its parent, deleted and state) is a thread shown in its community."""
    return row["parent_id"] is None and not row["deleted"] and row["state"] == PostState.VISIBLE


class Catalog:
    def __init__(self) -> None:
        self._kept: dict[int, _Kept] = {}
        self._building: dict[int, asyncio.Lock] = {}

    def forget(self, group_id: int | None = None) -> None:
        """Build again at next use (one community, or all)."""
        if group_id is None:
            self._kept.clear()
        else:
            self._kept.pop(group_id, None)

    async def index_of(self, group: Group, conn: BaseDBAsyncClient | None = None) -> IdeaIndex:
        """The community's index, caught up with every change committed so far."""
        kept = self._kept.get(group.id)
        if kept is None or time.monotonic() - kept.at > KEEP / 2:
            async with self._building.setdefault(group.id, asyncio.Lock()):
                kept = self._kept.get(group.id)
                if kept is None or time.monotonic() - kept.at > KEEP / 2:
                    kept = self._kept[group.id] = await self.build(group, conn)
        async with kept.lock:
            await _catch_up(group, kept, conn)
        return kept.index

    async def build(self, group: Group, conn: BaseDBAsyncClient | None = None) -> _Kept:
        """Every idea shown in the community, read in pages; changes from the log's end on follow."""
        last = await IdeaChange.filter(group_id=group.id).using_db(conn).order_by("-id").first()
        kept = _Kept(IdeaIndex(), last.id if last else 0, time.monotonic())
        after = 0
        while True:
            rows = await (
                Post.filter(
                    group_id=group.id, parent_id=None, deleted=False, state=PostState.VISIBLE, id__gt=after
                )
                .using_db(conn)
                .order_by("id")
                .limit(PAGE)
                .values_list("id", "title", "content")
            )
            # in a thread: the index is no one else's yet, and the event loop keeps serving meanwhile
            await asyncio.to_thread(_add_all, kept.index, rows)
            if len(rows) < PAGE:
                break
            after = rows[-1][0]
        await asyncio.to_thread(kept.index.renorm)
        return kept

    async def similar(
        self,
        group: Group,
        text: str,
        *,
        limit: int = LIKELY,
        threshold: float = 0.0,
        exclude: int | None = None,
        conn: BaseDBAsyncClient | None = None,
    ) -> list[Similar]:
        """The community's ideas closest to `text`, best first: only those still shown."""
        index = await self.index_of(group, conn)
        scored = index.similar(features(text), limit=limit, threshold=threshold, exclude=exclude)
        if not scored:
            return []
        rows = await (
            Post.filter(id__in=[s.post_id for s in scored])
            .using_db(conn)
            .values("id", "object_id", "title", "parent_id", "deleted", "state")
        )
        found = {r["id"]: r for r in rows if _shown(r)}
        return [
            Similar(s.post_id, found[s.post_id]["object_id"], found[s.post_id]["title"] or "", s.score)
            for s in scored
            if s.post_id in found
        ]


def _add_all(index: IdeaIndex, rows: list[tuple[int, str | None, str]]) -> None:
    for post_id, title, content in rows:
        index.add(post_id, features(idea_text(title, content)), bulk=True)


async def _catch_up(group: Group, kept: _Kept, conn: BaseDBAsyncClient | None) -> None:
    rows = await (
        IdeaChange.filter(group_id=group.id, id__gt=kept.seen)
        .using_db(conn)
        .order_by("id")
        .values_list("id", "post_id", "created_at")
    )
    kept.at = time.monotonic()
    settled = datetime.now(UTC) - timedelta(seconds=SETTLE)
    young = [change_id for change_id, _, at in rows if _aware(at) > settled]
    # `seen` moves past settled rows only, up to the first young one: a row committed late with a
    # smaller id than a young one is still read next time
    kept.seen = max([kept.seen, *(c for c, _, _ in rows if not young or c < young[0])])
    changes = [(change_id, post_id) for change_id, post_id, _ in rows if change_id not in kept.young]
    kept.young = {change_id for change_id in young if change_id > kept.seen}
    if not changes:
        return
    ids = {post_id for _, post_id in changes}
    found = await (
        Post.filter(id__in=ids)
        .using_db(conn)
        .values("id", "title", "content", "parent_id", "deleted", "state")
    )
    posts = {r["id"]: r for r in found}
    for post_id in ids:
        row = posts.get(post_id)
        if row is not None and _shown(row):
            kept.index.add(post_id, features(idea_text(row["title"], row["content"])))
        else:
            kept.index.remove(post_id)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
