"""Recounting a community's insights from its stored history (`fedicom insights rebuild`): for a
community older than insights, or after counting went wrong. Memberships, posts and comments, votes
and reports are fed, oldest first, to the functions that count them as they arrive (counting.py).

Exact while the server runs, because nothing is counted twice or out of turn:

- While a community is rebuilt, no other process counts posts and votes (lock.held): no backlog batch
  adds to rows being cleared, none counts a reply before the rebuild has counted its thread. The
  backlog is drained first; what arrives meanwhile waits in it.
- What waits in the backlog is left to it, as it counts it once the rebuild lets go: a post whose event
  waits is skipped; a vote with events waiting is counted as it stood before the first of them (that
  event's `previous`, at its `cast_at`), and the backlog moves it on from there. A post or vote commits
  with its event, and the backlog is read after the rows, so no event goes unseen.
- Joins, leaves and reports are counted by listeners in the transaction that stores them, not through
  the backlog. The community's counted rows are cleared, and its members and reports read, in one
  transaction holding their tables (PostgreSQL: SHARE on `membership` and `report`, which waits for a
  join, leave or report under way and holds back the next; SQLite: the write lock): each is either read
  here or counted by its listener afterwards, never both.
- The rest commits in batches (`batch` posts, their votes, members or reports per transaction), so a
  large community never holds one huge transaction. Interrupted, a rebuild has cleared what it
  recounts: running it again starts over.

Leaves cannot be recounted (a membership that ends is deleted): today's members count as joined when
their membership was created. Posts are read as stored now (one edited or deleted since reads so).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from tortoise import Tortoise
from tortoise.models import Model
from tortoise.transactions import in_transaction

from fedicom.groups.events import MemberChange, ReportFiled, VoteCast
from fedicom.groups.models import Group, Membership, MembershipState, Post, Vote
from fedicom.groups.votes import cast_at
from fedicom.insights import models, sentiment, stages
from fedicom.insights.backlog import Backlog
from fedicom.insights.clock import forget
from fedicom.insights.counting import Counter, local_day
from fedicom.insights.db import postgres, query
from fedicom.insights.lock import Alive, held
from fedicom.insights.scoring import Thresholds
from fedicom.moderation.models import Report

# kept: what no stored history gives back (page views, the stage of each past day) or people set
KEEP: tuple[type[Model], ...] = (
    models.TrafficDay, models.StageDay, models.AlertRule, models.Alert, models.Expert,
)  # fmt: skip
Progress = Callable[[str, int, int], None]  # stage, done, total
T = TypeVar("T")


@dataclass(frozen=True)
class Counted:
    """An insights table holding counted rows of communities; `where` picks one community's (its one
    `?` is the community's id)."""

    table: str
    pk: str
    where: str


def counted_tables() -> list[Counted]:
    """Every insights table keyed by a community, by one of its posts, or by such a row (a thread's
    participants), but KEEP; a row's table comes before the table of the row it points at."""
    found: dict[type[Model], Counted] = {}
    candidates = [m for m in Tortoise.apps["fedicom"].values() if m.__module__ == models.__name__]
    while True:
        more = {m: _scope(m, found) for m in candidates if m not in found and m not in KEEP}
        found.update({m: c for m, c in more.items() if c is not None})
        if all(c is None for c in more.values()):
            break
    depth: dict[type[Model], int] = {}

    def depth_of(model: type[Model]) -> int:
        if model not in depth:
            parents = [f.related_model for f in _links(model) if f.related_model in found]
            depth[model] = 1 + max(map(depth_of, parents), default=0)
        return depth[model]

    return [found[m] for m in sorted(found, key=depth_of, reverse=True)]


def _links(model: type[Model]) -> list[Any]:
    meta = model._meta
    return [meta.fields_map[name] for name in (*meta.fk_fields, *meta.o2o_fields)]


def _scope(model: type[Model], found: dict[type[Model], Counted]) -> Counted | None:
    """How to pick a community's rows of `model`: by the community, else by its posts, else by rows
    already picked (the cheapest first); None when its rows are no community's."""
    links = _links(model)
    ways = [f"{f.source_field} = ?" for f in links if f.related_model is Group]
    ways += [
        f"{f.source_field} IN (SELECT id FROM post WHERE group_id = ?)"
        for f in links
        if f.related_model is Post
    ]
    ways += [
        f"{f.source_field} IN (SELECT {p.pk} FROM {p.table} WHERE {p.where})"
        for f in links
        if (p := found.get(f.related_model)) is not None
    ]
    return Counted(model._meta.db_table, model._meta.db_pk_column, ways[0]) if ways else None


@dataclass
class Rebuilt:
    """What a rebuild did, for its summary."""

    community: str
    cleared: dict[str, int] = field(default_factory=dict)  # rows removed before recounting, per table
    members: int = 0
    posts: int = 0
    comments: int = 0
    votes: int = 0
    reports: int = 0
    waiting: dict[str, int] = field(default_factory=lambda: {"posts": 0, "votes": 0})  # left to the backlog
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class Waiting:
    """The backlog's events not counted yet, each read once. Nobody takes one while a rebuild holds
    the lock, so once as many are seen as the backlog holds, all of them are."""

    def __init__(self) -> None:
        self.posts: set[int] = set()
        self.votes: dict[tuple[int, str], dict[str, Any]] = {}  # the first event waiting of each vote
        self._seen: set[int] = set()
        self._top = 0

    async def read(self) -> None:
        await self._rows("id > ?", [self._top])  # as a rule, what came since the last look
        held = await query("SELECT COUNT(*) AS n FROM insight_event", [])
        if int(held[0]["n"]) > len(self._seen):  # one committed late, under a lower id: look at all
            ids = [int(r["id"]) for r in await query("SELECT id FROM insight_event", [])]
            for chunk in _chunks([i for i in ids if i not in self._seen], 500):
                await self._rows(f"id IN ({', '.join('?' for _ in chunk)})", chunk)

    async def _rows(self, where: str, params: list[Any]) -> None:
        rows = await query(f"SELECT id, kind, payload FROM insight_event WHERE {where} ORDER BY id", params)
        for row in rows:
            event = int(row["id"])
            if event not in self._seen:
                self._seen.add(event)
                self._top = max(self._top, event)
                self._note(row["kind"], row["payload"])

    def _note(self, kind: str, payload: str) -> None:
        try:
            event = json.loads(payload)
            post = int(event["post"])
            if kind == "vote":
                self.votes.setdefault((post, str(event["actor"])), event)
            elif kind == "post":
                self.posts.add(post)
        except (ValueError, KeyError, TypeError):
            pass  # a malformed event: the backlog drops it


def _chunks(items: list[T], size: int) -> list[list[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class Rebuild:
    """One community's rebuild; `run` does it all."""

    def __init__(
        self,
        group: Group,
        backlog: Backlog,
        *,
        limits: Thresholds,
        keep_days: int,
        batch: int,
        progress: Progress | None = None,
    ) -> None:
        self.group = group
        self.counter: Counter = backlog.counter
        self.backlog = backlog
        self.limits = limits
        self.keep = timedelta(days=keep_days)
        self.batch = batch
        self.progress = progress or (lambda stage, done, total: None)
        self.waiting = Waiting()
        self.done = Rebuilt(group.name)

    async def run(self) -> Rebuilt:
        started = time.perf_counter()
        await asyncio.to_thread(sentiment.warm)  # ~2 s, before counting stops anywhere
        await self.backlog.drain()
        async with held() as alive:
            tables = counted_tables()
            await self._clear(tables, alive)
            members, reports = await self._clear_and_read(tables)
            await self._members(members, alive)
            await self._reports(reports, alive)
            await self._posts(alive)
            await self._votes(alive)
            # past the retention period, per-member rows go (the hourly job skips while a rebuild runs);
            # today's stages were counted from what was there: counted again
            await forget(datetime.now(UTC) - self.keep)
            await stages.snapshot(self.group, local_day(datetime.now(UTC), self.group), self.limits)
        self.done.seconds = round(time.perf_counter() - started, 2)
        return self.done

    async def _clear(self, tables: list[Counted], alive: Alive) -> None:
        """Most rows go here, a batch per statement; the few that listeners add meanwhile go with
        the read of members and reports."""
        gid = self.group.id
        total = 0
        for t in tables:
            rows = await query(f"SELECT COUNT(*) AS n FROM {t.table} WHERE {t.where}", [gid])
            total += int(rows[0]["n"])
        done = 0
        self.progress("clearing", 0, total)
        for t in tables:
            while True:
                await alive()
                gone = await query(
                    f"DELETE FROM {t.table} WHERE {t.pk} IN (SELECT {t.pk} FROM {t.table} "
                    f"WHERE {t.where} LIMIT {int(self.batch)}) RETURNING {t.pk}",
                    [gid],
                )
                if not gone:
                    break
                self._cleared(t.table, len(gone))
                done += len(gone)
                self.progress("clearing", min(done, total), total)

    def _cleared(self, table: str, rows: int) -> None:
        self.done.cleared[table] = self.done.cleared.get(table, 0) + rows

    async def _clear_and_read(
        self, tables: list[Counted]
    ) -> tuple[list[tuple[str, datetime]], list[tuple[int, str, str, datetime]]]:
        """The members and reports to count, read in the transaction that clears what their listeners
        counted (see the module's docstring)."""
        gid = self.group.id
        async with in_transaction() as conn:
            if postgres(conn):
                await query("LOCK TABLE membership, report IN SHARE MODE", [], conn)
            for t in tables:  # on SQLite the first DELETE takes the write lock, even with no row to delete
                gone = await query(f"DELETE FROM {t.table} WHERE {t.where} RETURNING {t.pk}", [gid], conn)
                if gone:
                    self._cleared(t.table, len(gone))
            accepted = Membership.filter(group_id=gid, state=MembershipState.ACCEPTED).using_db(conn)
            members = await accepted.order_by("id").values_list("actor", "created_at")
            filed = Report.filter(community_id=gid).using_db(conn).order_by("id")
            reports = await filed.values_list("id", "reporter", "reason", "created_at")
        filed_rows = [(int(i), str(who), str(why), at) for i, who, why, at in reports]
        return [(str(a), at) for a, at in members], filed_rows

    async def _members(self, members: list[tuple[str, datetime]], alive: Alive) -> None:
        self.progress("members", 0, len(members))
        for chunk in _chunks(members, self.batch):
            await alive()
            async with in_transaction() as conn:
                for actor, at in chunk:
                    await self.counter.member_joined(MemberChange(self.group, actor, at), conn)
            self.done.members += len(chunk)
            self.progress("members", self.done.members, len(members))

    async def _reports(self, reports: list[tuple[int, str, str, datetime]], alive: Alive) -> None:
        self.progress("reports", 0, len(reports))
        for chunk in _chunks(reports, self.batch):
            await alive()
            async with in_transaction() as conn:
                for report_id, reporter, reason, at in chunk:
                    filed = ReportFiled(report_id, self.group, reporter, reason, at)
                    await self.counter.report_filed(filed, conn)
            self.done.reports += len(chunk)
            self.progress("reports", self.done.reports, len(reports))

    async def _posts(self, alive: Alive) -> None:
        """Posts and comments in the order they were stored (by id, as the backlog counts them): a
        thread before its replies, a reply's first answer first."""
        gid = self.group.id
        total = await Post.filter(group_id=gid).count()
        seen, after = 0, 0
        self.progress("posts", 0, total)
        while True:
            await alive()
            posts = await Post.filter(group_id=gid, id__gt=after).order_by("id").limit(self.batch)
            if not posts:
                return
            await self.waiting.read()  # after the posts: an event of one of them is there if it waits
            async with in_transaction() as conn:
                for post in posts:
                    if post.id in self.waiting.posts:
                        self.done.waiting["posts"] += 1
                        continue
                    post.group = self.group
                    await self.counter.count_post(post, conn)
                    if post.parent_id is None:  # type: ignore[attr-defined]
                        self.done.posts += 1
                    else:
                        self.done.comments += 1
            after = posts[-1].id
            seen += len(posts)
            self.progress("posts", min(seen, total), max(total, seen))

    async def _votes(self, alive: Alive) -> None:
        """The votes on each batch of posts, each as a new vote cast when it was first cast."""
        gid = self.group.id
        total = await Vote.filter(post__group_id=gid).count()
        seen, after = 0, 0
        self.progress("votes", 0, total)
        while True:
            await alive()
            batch = Post.filter(group_id=gid, id__gt=after).order_by("id").limit(self.batch)
            posts = {p.id: p for p in await batch.only("id", "author", "parent_id", "created_at")}
            if not posts:
                return
            votes = await Vote.filter(post_id__in=list(posts)).order_by("id")
            await self.waiting.read()  # after the votes (see the module's docstring)
            casts = self._casts(posts, votes)
            async with in_transaction() as conn:
                for cast in casts:
                    await self.counter.count_vote(cast, conn)
            self.done.votes += len(casts)
            after = max(posts)
            seen += len(votes)
            self.progress("votes", min(seen, total), max(total, seen))

    def _casts(self, posts: dict[int, Post], votes: list[Vote]) -> list[VoteCast]:
        """Each vote on `posts` as it stands, or, when events of it wait in the backlog, as it stood
        before the first of them (nothing if that one cast it)."""
        casts = []
        for vote in votes:
            if (vote.post_id, vote.actor) in self.waiting.votes:  # type: ignore[attr-defined]
                continue
            vote.post = posts[vote.post_id]  # type: ignore[attr-defined]
            casts.append(VoteCast(self.group, vote.post, vote.actor, vote.value, None, cast_at(vote)))
        for (post_id, actor), first in self.waiting.votes.items():
            if post_id not in posts:
                continue
            self.done.waiting["votes"] += 1
            if first.get("previous") is not None:
                before = datetime.fromisoformat(first["cast_at"])
                casts.append(
                    VoteCast(self.group, posts[post_id], actor, int(first["previous"]), None, before)
                )
        return casts


async def rebuild(
    group: Group,
    backlog: Backlog,
    *,
    limits: Thresholds,
    keep_days: int,
    batch: int,
    progress: Progress | None = None,
) -> Rebuilt:
    """Clear what insights counted of `group` and count it again from its stored history."""
    job = Rebuild(group, backlog, limits=limits, keep_days=keep_days, batch=batch, progress=progress)
    return await job.run()
