"""Counting a batch adds up its counters and writes each row once (counting.Tally): the rows it leaves
are the ones counting event by event leaves, on the same history."""

from __future__ import annotations

import random
from typing import Any

from fedicom.groups.events import MemberChange, VoteCast
from fedicom.groups.models import Group, Post
from fedicom.insights.counting import Counter, Tally, _tally
from fedicom.insights.db import db, query
from tests.insights.test_history import generate
from tests.support.servers import Instance

BATCH = 7
TABLES = {
    "insight_day": "day, posts, comments, votes, joins, leaves, reports, active, positive, neutral, "
    "negative, not_scored",
    "insight_member_day": "day, actor, posts, comments, votes",
    "insight_member": "actor, posts, comments, votes, first_at, last_at, up_received, down_received, "
    "comment_up_received, replies_received, engagers",
    "insight_language_day": "day, language, posts",
    "insight_thread_day": "day, threads, questions, staff_answered, no_reply, under_1h, h1_4, h4_24, "
    "over_24h, participants, depth_sum, depth_max",
    "insight_wait": "day, minutes, threads",
    "insight_server": "host, members",
}


class Batched(Counter):
    """Counts as the backlog does: additions held in a tally, written every BATCH events."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.tally, self.seen = Tally(), 0
        _tally.set(self.tally)  # for the rest of this test's task

    async def _step(self) -> None:
        self.seen += 1
        if self.seen % BATCH == 0:
            await self.tally.write(db())

    async def count_post(self, post: Post, conn: Any) -> None:
        await super().count_post(post, conn)
        await self._step()

    async def count_vote(self, vote: VoteCast, conn: Any) -> None:
        await super().count_vote(vote, conn)
        await self._step()

    async def member_joined(self, change: MemberChange, conn: Any) -> None:
        await super().member_joined(change, conn)
        await self._step()


async def _rows(group: Group) -> dict[str, list[tuple[Any, ...]]]:
    found = {}
    for table, columns in TABLES.items():
        rows = await query(f"SELECT {columns} FROM {table} WHERE group_id = ? ORDER BY {columns}", [group.id])
        found[table] = [tuple(str(v) for v in r.values()) for r in rows]
    return found


async def test_a_tallied_batch_leaves_the_rows_counting_one_by_one_leaves(instance) -> None:
    inst: Instance = await instance()
    one_by_one = await generate(inst, random.Random(11), "plain")
    batched = await generate(inst, random.Random(11), "batched", counting=Batched)
    await _tally.get().write(db())  # type: ignore[union-attr]  # the last, partial batch
    expected = await _rows(one_by_one)
    assert all(expected.values())  # every table has rows to compare
    assert await _rows(batched) == expected
