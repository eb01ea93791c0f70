"""The backlog of posts and votes to count: one bad row never stops counting, and what is counted is
counted once."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import UTC, datetime
from typing import cast

from fedicom.groups.models import Post
from fedicom.insights import backlog as backlog_module
from fedicom.insights.backlog import Backlog
from fedicom.insights.counting import Counter
from fedicom.insights.db import query
from fedicom.insights.models import CommunityDay, CountEvent
from tests.support.servers import Instance
from tests.support.steps import counted


async def test_a_bad_event_is_dropped_and_the_rest_counted_once(instance) -> None:
    inst: Instance = await instance()
    group = await inst.community("news")
    backlog = Backlog(Counter(inst.groups))
    posts = []
    for i in range(3):
        post = await Post.create(
            group=group, object_id=f"https://x.example/o/{i}", type="Note", author="https://x.example/u/a",
            title=f"Post {i}", content="<p>Hello.</p>", document={}, published=datetime.now(UTC),
        )  # fmt: skip
        posts.append(post)
    await backlog.post_stored(posts[0], None)
    await query("INSERT INTO insight_event (kind, payload) VALUES (?, ?)", ["post", "{not json"])
    await backlog.post_stored(posts[1], None)
    await query("INSERT INTO insight_event (kind, payload) VALUES (?, ?)", ["post", '{"post": 99999}'])
    await backlog.post_stored(posts[2], None)
    await backlog.drain()  # beside the instance's own counting loop: each event is counted by one
    await counted()
    [day] = await CommunityDay.filter(group=group)
    assert day.posts == 3  # the bad row dropped, the one whose post is gone skipped, none counted twice
    assert await backlog.drain() == 0 and not await CountEvent.exists()
    assert (await CommunityDay.get(id=day.id)).posts == 3


async def test_counting_steps_back_while_the_inbox_is_busy_then_catches_up(monkeypatch) -> None:
    """Members' posts go out before the figures are counted: while the inbox is busy, a small batch
    now and then (a long burst is still counted as it goes), then the rest at once."""
    monkeypatch.setattr(backlog_module, "WHILE_BUSY", 0.3)
    monkeypatch.setattr(backlog_module, "STEP_BACK", 0.02)
    busy = True

    class Recording(Backlog):
        left = 6
        batches: list[tuple[float, int]] = []

        async def drain_batch(self, limit: int = backlog_module.BATCH) -> int:
            self.batches.append((time.monotonic(), limit))
            counted, self.left = min(self.left, 1), self.left - min(self.left, 1)
            return counted

    backlog = Recording(cast(Counter, None), inbox_busy=lambda: busy)
    stop = asyncio.Event()
    running = asyncio.create_task(backlog.run(stop))
    await asyncio.sleep(0.75)
    busy_batches = [b for b in backlog.batches if b[1] == backlog_module.BATCH_WHILE_BUSY]
    assert len(busy_batches) == len(backlog.batches) in (2, 3)  # at 0, 0.3 and 0.6 s (0.6 may be late)
    assert all(b - a >= 0.3 for (a, _), (b, _) in itertools.pairwise(busy_batches))
    busy = False
    await asyncio.sleep(0.2)
    stop.set()
    await running
    assert backlog.left == 0 and backlog.batches[-1][1] == backlog_module.BATCH  # the rest, at once

    # And an empty backlog is not polled meanwhile: a look that finds nothing waits its turn too
    busy, idle = True, Recording(cast(Counter, None), inbox_busy=lambda: busy)
    idle.left, idle.batches = 0, []
    stop = asyncio.Event()
    running = asyncio.create_task(idle.run(stop))
    await asyncio.sleep(0.5)
    stop.set()
    await running
    assert 1 <= len(idle.batches) <= 2, idle.batches
