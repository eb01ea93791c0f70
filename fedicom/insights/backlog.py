"""The backlog of posts and votes still to count: one row written in the activity's transaction, counted
in batches beside the inbox, so counting costs the inbox one insert per activity instead of a dozen
statements.

A batch is taken (deleted) and counted in one transaction, so a crash counts it again in full or not at
all, never half. One process counts at a time (lock.py: a batch takes its turn, or waits for the next
round while another process counts or a community is rebuilt), so events are counted in the order
they arrived: a reply after the thread it answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub.leases import dialect_sql, nap
from fedicom.activitypub.shared_transaction import write_with_commit
from fedicom.groups.events import GroupEvents, VoteCast
from fedicom.groups.models import Post
from fedicom.insights import sentiment
from fedicom.insights.counting import Counter, tallied
from fedicom.insights.db import db, query
from fedicom.insights.lock import turn
from fedicom.insights.models import CountEvent

log = logging.getLogger("fedicom.insights")

BATCH = 500
IDLE = 1.0  # seconds between looks at an empty backlog (a new event wakes it at once)
# While the inbox is busy, a batch at most this often (seconds): counting (sentiment above all) costs
# about as much as processing, and members' posts going out comes first; figures follow.
WHILE_BUSY = 1.0
BATCH_WHILE_BUSY = 100  # a smaller batch then: its transaction holds SQLite's one writer for less long
STEP_BACK = 0.1  # seconds between looks at a busy inbox


class Backlog:
    def __init__(self, counter: Counter, *, inbox_busy: Callable[[], bool] = lambda: False) -> None:
        self.counter = counter
        self.inbox_busy = inbox_busy
        self._wake = asyncio.Event()
        self._warm = False

    def connect(self, events: GroupEvents) -> None:
        events.post_stored.connect(self.post_stored)
        events.vote_changed.connect(self.vote_changed)

    # --- the listeners: one row in the activity's transaction

    async def post_stored(self, post: Post, conn: BaseDBAsyncClient | None) -> None:
        await self._add("post", {"post": post.id}, conn)

    async def vote_changed(self, vote: VoteCast, conn: BaseDBAsyncClient | None) -> None:
        payload = {
            "post": vote.post.id,
            "actor": vote.actor,
            "value": vote.value,
            "previous": vote.previous,
            "cast_at": vote.cast_at.isoformat(),
        }
        await self._add("vote", payload, conn)

    async def _add(self, kind: str, payload: dict[str, Any], conn: BaseDBAsyncClient | None) -> None:
        client = db(conn)
        sql = dialect_sql(client, "INSERT INTO insight_event (kind, payload) VALUES (?, ?)")
        await write_with_commit(client, sql, [kind, json.dumps(payload, separators=(",", ":"))])
        self._wake.set()

    # --- counting

    async def run(self, stop: asyncio.Event) -> None:
        """Count until `stop`: at once when woken, at least every IDLE seconds; while the inbox is busy,
        one batch every WHILE_BUSY seconds (so a long burst is still counted as it goes)."""
        last_batch = -math.inf
        while not stop.is_set():
            try:
                while not ((busy := self.inbox_busy()) and time.monotonic() - last_batch < WHILE_BUSY):
                    last_batch = time.monotonic()  # a try that finds nothing counts too: no polling
                    if not await self.drain_batch(BATCH_WHILE_BUSY if busy else BATCH):
                        break
            except Exception:  # the database went away: try again on the next round
                log.exception("counting insights failed; the backlog is kept and tried again")
            if self.inbox_busy():  # new events wake nobody meanwhile
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), STEP_BACK)
            else:
                await nap(self._wake, stop, poll=IDLE)

    async def drain(self) -> int:
        """Count everything waiting (tests, and the CLI before reading figures); the events counted."""
        total = 0
        while counted := await self.drain_batch():
            total += counted
        return total

    async def drain_batch(self, limit: int = BATCH) -> int:
        if not self._warm:
            if not await CountEvent.exists():
                return 0
            # the models load in ~2 s: once, when there is something to count (a process that only
            # delivers never loads them), in a thread, and before a batch's transaction holds a lock
            await asyncio.to_thread(sentiment.warm)
            self._warm = True
        try:
            async with turn() as conn:
                if conn is None:
                    return 0  # another process is counting, or a rebuild is
                events = await self._take(conn, limit)
                posts = await self._posts(events, conn)
                async with tallied(conn):
                    for event in events:
                        await self._count(event, posts, conn)
            return len(events)
        except Exception:
            log.warning("a batch of insights events failed; counting them one by one", exc_info=True)
            return await self._one_by_one()

    async def _take(self, conn: BaseDBAsyncClient, limit: int = BATCH) -> list[dict[str, Any]]:
        rows = await query(
            "DELETE FROM insight_event WHERE id IN "
            f"(SELECT id FROM insight_event ORDER BY id LIMIT {int(limit)}) RETURNING id, kind, payload",
            [],
            conn,
        )
        return sorted(rows, key=lambda r: int(r["id"]))

    async def _one_by_one(self) -> int:
        """After a failed batch: each event in its own transaction; one that fails alone is dropped,
        logged with its reason, so one bad row never stops counting."""
        done = 0
        while True:
            try:
                async with turn() as conn:
                    events = await self._take(conn, 1) if conn is not None else []
                    if conn is None or not events:
                        return done
                    await self._count(events[0], await self._posts(events, conn), conn)
                    done += 1
            except Exception:
                async with turn() as conn:
                    dropped = await self._take(conn, 1) if conn is not None else []
                log.exception("an insights event could not be counted and was dropped: %s", dropped)

    async def _posts(self, events: list[dict[str, Any]], conn: BaseDBAsyncClient) -> dict[int, Post]:
        """The posts a batch's events name, read at once (with their communities)."""
        ids = {int(json.loads(e["payload"])["post"]) for e in events}
        found = await Post.filter(id__in=ids).using_db(conn).prefetch_related("group") if ids else []
        return {p.id: p for p in found}

    async def _count(self, event: dict[str, Any], posts: dict[int, Post], conn: BaseDBAsyncClient) -> None:
        payload = json.loads(event["payload"])
        post = posts.get(int(payload["post"]))
        if post is None:
            return  # gone with its community since: nothing left to count it in
        if event["kind"] == "post":
            await self.counter.count_post(post, conn)
            return
        vote = VoteCast(
            post.group,
            post,
            payload["actor"],
            int(payload["value"]),
            payload["previous"],
            datetime.fromisoformat(payload["cast_at"]),
        )
        await self.counter.count_vote(vote, conn)
