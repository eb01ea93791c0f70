"""Counting as activity arrives: each post, vote, join, leave and report adds to the day's sums.

Joins, leaves and reports are counted by listeners in the transaction of what they count
(groups/events.py); posts and votes through the backlog (backlog.py), in batches. Either way a count
commits with what it counts or not at all, and a crash never leaves one counted twice. Counters are upserts
(`ON CONFLICT ... DO UPDATE`, the same on SQLite and PostgreSQL), so concurrent workers add to the
same row without reading it first. `rebuild.py` replays the same functions over stored history.
"""

from __future__ import annotations

from collections import Counter as Sums
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub.vocab import host_of
from fedicom.groups.context import Groups
from fedicom.groups.events import GroupEvents, MemberChange, ReportFiled, VoteCast
from fedicom.groups.models import Group, Post
from fedicom.groups.timezones import zone
from fedicom.insights import sentiment
from fedicom.insights.db import db as _db
from fedicom.insights.db import postgres, query

DAY_COUNTERS = (
    "posts", "comments", "votes", "joins", "leaves", "reports", "active",
    "positive", "neutral", "negative", "not_scored",
)  # fmt: skip
MEMBER_DAY_COUNTERS = ("posts", "comments", "votes")
THREAD_DAY_COUNTERS = (
    "threads", "questions", "staff_answered", "no_reply", "under_1h", "h1_4", "h4_24", "over_24h",
    "participants", "depth_sum",
)  # fmt: skip
WAIT_BANDS = ((60, "under_1h"), (240, "h1_4"), (1440, "h4_24"))  # minutes below which a band ends
MEMBER_COUNTERS = (
    "posts", "comments", "votes", "up_received", "down_received", "comment_up_received",
    "replies_received", "engagers",
)  # fmt: skip


def local_day(at: datetime, group: Group) -> date:
    """The community's own calendar day of a moment (its time zone), the unit every chart uses."""
    return at.astimezone(zone(group.timezone)).date()


async def _query(conn: BaseDBAsyncClient, sql: str, params: list[Any]) -> list[Any]:
    return await query(sql, params, conn)


Key = tuple[tuple[str, Any], ...]  # a row's key columns and values


class Tally:
    """Counter additions held for the end of a batch, added up per row: a batch of a hundred posts in
    one community writes its day's row once, not a hundred times. Safe because counting never reads
    the rows it adds to (only thread, engagement and member-day rows, which are written at once)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, Key], tuple[tuple[str, ...], Sums[str], dict[str, Any]]] = {}

    def add(
        self,
        table: str,
        key: Mapping[str, Any],
        counters: tuple[str, ...],
        deltas: Mapping[str, int],
        extra: Mapping[str, Any],
    ) -> None:
        _, sums, kept = self.rows.setdefault((table, tuple(key.items())), (counters, Sums(), {}))
        sums.update({c: n for c, n in deltas.items() if n})
        for name, value in extra.items():
            old = kept.get(name)
            earliest = name.startswith("first")
            if old is None or (value is not None and (value < old if earliest else value > old)):
                kept[name] = value

    async def write(self, conn: BaseDBAsyncClient) -> None:
        rows, self.rows = self.rows, {}
        for (table, key), (counters, sums, kept) in rows.items():
            await _upsert(conn, table, dict(key), counters, sums, kept)


_tally: ContextVar[Tally | None] = ContextVar("insights_tally", default=None)


@asynccontextmanager
async def tallied(conn: BaseDBAsyncClient) -> AsyncIterator[None]:
    """Within this block (a batch's transaction), counter additions are added up and written at its end."""
    tally = Tally()
    token = _tally.set(tally)
    try:
        yield
        await tally.write(conn)
    finally:
        _tally.reset(token)


async def _add(
    conn: BaseDBAsyncClient,
    table: str,
    key: Mapping[str, Any],
    counters: tuple[str, ...],
    deltas: Mapping[str, int],
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Add `deltas` to the row of `key`, creating it (every counter given, zero if not added to); each
    of `extra` keeps the earliest value (`first_*`) or the greatest (any other). Held for the end of
    the batch when one is being counted (`tallied`)."""
    tally = _tally.get()
    if tally is not None:
        tally.add(table, key, counters, deltas, extra or {})
        return
    await _upsert(conn, table, key, counters, deltas, extra or {})


async def _upsert(
    conn: BaseDBAsyncClient,
    table: str,
    key: Mapping[str, Any],
    counters: tuple[str, ...],
    deltas: Mapping[str, int],
    extra: Mapping[str, Any],
) -> None:
    values = {**key, **{c: deltas.get(c, 0) for c in counters}, **extra}
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    sets = [f"{c} = {table}.{c} + excluded.{c}" for c in counters if deltas.get(c)]
    sets += [f"{name} = {_merge(table, name)}" for name in extra]
    action = f"DO UPDATE SET {', '.join(sets)}" if sets else "DO NOTHING"
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT ({', '.join(key)}) {action}"
    await _query(conn, sql, list(values.values()))


def _merge(table: str, name: str) -> str:
    """first_at keeps the earliest, last_at (or depth_max) the greatest (NULL-safe on both databases)."""
    earliest = name.startswith("first")
    if postgres():
        pick = "LEAST" if earliest else "GREATEST"  # these skip NULLs
    else:
        pick = "MIN" if earliest else "MAX"  # scalar MIN/MAX answer NULL if either is: hence COALESCE
    return f"COALESCE({pick}({table}.{name}, excluded.{name}), {table}.{name}, excluded.{name})"


async def add_day(conn: BaseDBAsyncClient, group: Group, day: date, **deltas: int) -> None:
    await _add(conn, "insight_day", {"group_id": group.id, "day": day}, DAY_COUNTERS, deltas)


async def add_member_day(conn: BaseDBAsyncClient, group: Group, day: date, actor: str, **deltas: int) -> None:
    """The actor's day; its first activity that day makes one more active member of the day."""
    counts = [deltas.get(c, 0) for c in MEMBER_DAY_COUNTERS]
    new = await _query(
        conn,
        "INSERT INTO insight_member_day (group_id, day, actor, posts, comments, votes) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (group_id, day, actor) DO NOTHING RETURNING id",
        [group.id, day, actor, *counts],
    )
    if new:
        await add_day(conn, group, day, active=1)
        return
    key = {"group_id": group.id, "day": day, "actor": actor}
    await _upsert(conn, "insight_member_day", key, MEMBER_DAY_COUNTERS, deltas, {})  # read just below
    if any(v < 0 for v in deltas.values()):  # a withdrawn vote: a day with nothing left is no active day
        gone = await _query(
            conn,
            "DELETE FROM insight_member_day WHERE group_id = ? AND day = ? AND actor = ? "
            "AND posts = 0 AND comments = 0 AND votes = 0 RETURNING id",
            [group.id, day, actor],
        )
        if gone:
            await add_day(conn, group, day, active=-1)


async def add_member(
    conn: BaseDBAsyncClient, group: Group, actor: str, deltas: Mapping[str, int], at: datetime | None = None
) -> None:
    extra = {"first_at": at, "last_at": at} if at is not None else None
    await _add(conn, "insight_member", {"group_id": group.id, "actor": actor}, MEMBER_COUNTERS, deltas, extra)


async def add_thread_day(
    conn: BaseDBAsyncClient, group: Group, day: date, deltas: Mapping[str, int], depth: int = 0
) -> None:
    """The threads started on `day`: counters moved by `deltas`, the deepest reply kept."""
    key = {"group_id": group.id, "day": day}
    await _add(conn, "insight_thread_day", key, THREAD_DAY_COUNTERS, deltas, {"depth_max": depth})


def wait_band(minutes: int) -> str:
    """The column of insight_thread_day counting a first reply after so many minutes."""
    return next((name for limit, name in WAIT_BANDS if minutes < limit), "over_24h")


async def _engaged(conn: BaseDBAsyncClient, group: Group, author: str, engager: str) -> None:
    """`engager` replied to or voted on `author`'s post: one more distinct engager, the first time."""
    if engager == author:
        return
    rows = await _query(
        conn,
        "INSERT INTO insight_engagement (group_id, author, engager) VALUES (?, ?, ?) "
        "ON CONFLICT (group_id, author, engager) DO NOTHING RETURNING id",
        [group.id, author, engager],
    )
    if rows:
        await add_member(conn, group, author, {"engagers": 1})


async def _disengaged(conn: BaseDBAsyncClient, group: Group, author: str, engager: str) -> None:
    """After a withdrawn vote: the pair ends when nothing else of `engager`'s touches `author`'s posts."""
    still = await _query(
        conn,
        "SELECT 1 FROM vote v JOIN post p ON p.id = v.post_id "
        "WHERE v.actor = ? AND p.author = ? AND p.group_id = ? "
        "UNION ALL SELECT 1 FROM post c JOIN post p ON p.id = c.parent_id "
        "WHERE c.author = ? AND p.author = ? AND c.group_id = ? LIMIT 1",
        [engager, author, group.id, engager, author, group.id],
    )
    if still or engager == author:
        return
    rows = await _query(
        conn,
        "DELETE FROM insight_engagement WHERE group_id = ? AND author = ? AND engager = ? RETURNING id",
        [group.id, author, engager],
    )
    if rows:
        await add_member(conn, group, author, {"engagers": -1})


class Counter:
    """The listeners that keep the sums; connected to a runtime's events in `install`."""

    def __init__(self, ctx: Groups) -> None:
        self.ctx = ctx

    def connect(self, events: GroupEvents) -> None:
        """Joins, leaves and reports (few) are counted at once; posts and votes (many, and costly to
        count) go through the backlog (backlog.py), which calls count_post and count_vote in batches."""
        events.member_joined.connect(self.member_joined)
        events.member_left.connect(self.member_left)
        events.report_filed.connect(self.report_filed)

    async def _is_staff(self, group: Group, actor: str) -> bool:
        if self.ctx.site.staff_from_uri(actor):
            return True
        return actor in (await self.ctx.rosters.of(group)).moderators

    async def count_post(self, post: Post, conn: BaseDBAsyncClient | None) -> None:
        """A post or comment that arrived: its day, author, language, sentiment and thread."""
        db = _db(conn)
        group: Group = post.group
        day = local_day(post.created_at, group)
        reading = sentiment.read(post.document, post.title, post.content)
        kind = "posts" if post.parent_id is None else "comments"  # type: ignore[attr-defined]
        await add_day(db, group, day, **{kind: 1, reading.sentiment.value: 1})
        await add_member_day(db, group, day, post.author, **{kind: 1})
        await add_member(db, group, post.author, {kind: 1}, post.created_at)
        language = {"group_id": group.id, "day": day, "language": reading.language}
        await _add(db, "insight_language_day", language, ("posts",), {"posts": 1})
        depth = await self._thread(db, group, post)
        await _query(
            db,
            "INSERT INTO insight_post (post_id, group_id, day, depth, language, sentiment, compound) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (post_id) DO NOTHING",
            [post.id, group.id, day, depth, reading.language, reading.sentiment.value, reading.compound],
        )

    async def _thread(self, db: BaseDBAsyncClient, group: Group, post: Post) -> int:
        """Thread facts: a new thread, or a reply that may be its first answer; the post's depth."""
        if post.parent_id is None:  # type: ignore[attr-defined]
            question = is_question(post)
            rows = await _query(
                db,
                "INSERT INTO insight_thread (post_id, group_id, author, created_at, question, staff_replied, "
                "replies, participants, depth) VALUES (?, ?, ?, ?, ?, ?, 0, 1, 0) "
                "ON CONFLICT (post_id) DO NOTHING RETURNING id",
                [post.id, group.id, post.author, post.created_at, question, False],
            )
            if rows:
                await _query(
                    db,
                    "INSERT INTO insight_participant (thread_id, actor) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    [rows[0]["id"], post.author],
                )
                opened = {"threads": 1, "no_reply": 1, "participants": 1, "questions": int(question)}
                await add_thread_day(db, group, local_day(post.created_at, group), opened)
            return 0
        parent = await _query(
            db,
            "SELECT p.author, p.parent_id, f.depth FROM post p LEFT JOIN insight_post f ON f.post_id = p.id "
            "WHERE p.id = ?",
            [post.parent_id],  # type: ignore[attr-defined]
        )
        depth = 1
        if parent:
            above = parent[0]["depth"]
            depth = above + 1 if above is not None else (1 if parent[0]["parent_id"] is None else 2)
            if parent[0]["author"] != post.author:
                await add_member(db, group, parent[0]["author"], {"replies_received": 1})
            await _engaged(db, group, parent[0]["author"], post.author)
        root = post.root_id or post.parent_id  # type: ignore[attr-defined]
        thread = await _query(
            db,
            "SELECT id, author, created_at, question, first_reply_at, staff_replied, depth "
            "FROM insight_thread WHERE post_id = ?",
            [root],
        )
        if not thread:
            return depth  # a thread from before insights: `fedicom insights rebuild` fills it in
        row = thread[0]
        joined = await _query(
            db,
            "INSERT INTO insight_participant (thread_id, actor) VALUES (?, ?) "
            "ON CONFLICT DO NOTHING RETURNING id",
            [row["id"], post.author],
        )
        started = _aware(row["created_at"])
        answer = row["author"] != post.author
        first = answer and row["first_reply_at"] is None
        staff = answer and not row["staff_replied"] and await self._is_staff(group, post.author)
        minutes = max(0, int((post.created_at - started).total_seconds() // 60))
        deeper = max(0, depth - row["depth"])
        await _query(
            db,
            "UPDATE insight_thread SET replies = replies + 1, participants = participants + ?, "
            "depth = depth + ?, "
            "first_reply_minutes = CASE WHEN ? THEN ? ELSE first_reply_minutes END, "
            "first_reply_at = CASE WHEN ? THEN ? ELSE first_reply_at END, "
            "staff_replied = CASE WHEN ? THEN ? ELSE staff_replied END WHERE id = ?",
            [len(joined), deeper, first, minutes, first, post.created_at, staff, True, row["id"]],
        )
        moved = {"participants": len(joined), "depth_sum": deeper}
        if first:
            moved |= {"no_reply": -1, wait_band(minutes): 1}
        if staff and row["question"]:
            moved["staff_answered"] = 1
        day = local_day(started, group)
        await add_thread_day(db, group, day, moved, depth=depth)
        if first:
            wait = {"group_id": group.id, "day": day, "minutes": minutes}
            await _add(db, "insight_wait", wait, ("threads",), {"threads": 1})
        return depth

    async def count_vote(self, vote: VoteCast, conn: BaseDBAsyncClient | None) -> None:
        """A vote cast, changed or withdrawn: the voter's day, the author's received votes, engagement."""
        db = _db(conn)
        group, post = vote.group, vote.post
        day = local_day(vote.cast_at, group)
        comment = post.parent_id is not None  # type: ignore[attr-defined]
        received = _received(vote.previous, vote.value, comment)
        if vote.previous is None or vote.value == 0:  # a new vote, or one withdrawn
            step = 1 if vote.previous is None else -1
            await add_day(db, group, day, votes=step)
            await add_member_day(db, group, day, vote.actor, votes=step)
            await add_member(db, group, vote.actor, {"votes": step})
        if any(received.values()):
            await add_member(db, group, post.author, received)
        if vote.previous is None:
            await _engaged(db, group, post.author, vote.actor)
        elif vote.value == 0:
            await _disengaged(db, group, post.author, vote.actor)

    async def member_joined(self, change: MemberChange, conn: BaseDBAsyncClient | None) -> None:
        await self._membership(change, _db(conn), joined=True)

    async def member_left(self, change: MemberChange, conn: BaseDBAsyncClient | None) -> None:
        await self._membership(change, _db(conn), joined=False)

    async def _membership(self, change: MemberChange, db: BaseDBAsyncClient, *, joined: bool) -> None:
        await _query(
            db,
            "INSERT INTO insight_member_event (group_id, actor, joined, at) VALUES (?, ?, ?, ?)",
            [change.group.id, change.actor, joined, change.at],
        )
        day = local_day(change.at, change.group)
        await add_day(db, change.group, day, **{"joins" if joined else "leaves": 1})
        server = {"group_id": change.group.id, "host": host_of(change.actor)}
        await _add(db, "insight_server", server, ("members",), {"members": 1 if joined else -1})

    async def report_filed(self, report: ReportFiled, conn: BaseDBAsyncClient | None) -> None:
        if report.group is not None:
            day = local_day(report.at, report.group)
            await add_day(_db(conn), report.group, day, reports=1)
            await _query(
                _db(conn),
                "INSERT INTO insight_report (group_id, day, report_id) VALUES (?, ?, ?)",
                [report.group.id, day, report.report_id],
            )


def _aware(value: Any) -> datetime:
    """A timestamp read with plain SQL: SQLite gives back the text tortoise stored."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_question(post: Post) -> bool:
    """A thread asks a question when its title does (until Q&A communities mark them outright)."""
    return "?" in (post.title or "")


def _received(previous: int | None, value: int, comment: bool) -> dict[str, int]:
    """How the author's received votes move when a vote goes from `previous` to `value` (0: none)."""
    deltas: dict[str, int] = {}
    for old_or_new, sign in ((previous or 0, -1), (value, 1)):
        if old_or_new == 1:
            deltas["up_received"] = deltas.get("up_received", 0) + sign
            if comment:
                deltas["comment_up_received"] = deltas.get("comment_up_received", 0) + sign
        elif old_or_new == -1:
            deltas["down_received"] = deltas.get("down_received", 0) + sign
    return deltas
