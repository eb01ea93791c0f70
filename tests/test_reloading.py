"""A cached list read again once stale: one read for many callers, never a value from before a change.

Staleness is set by hand (`ttl` 0: stale, a day: fresh), so no assertion depends on how fast the
machine runs."""

from __future__ import annotations

import asyncio

import pytest

from fedicom.storage.reloading import Reloaded

DAY = 86400.0


class Table:
    """What the database holds, and the reads of it; a read waits while `held` is clear."""

    def __init__(self) -> None:
        self.value = "v1"
        self.reads = 0
        self.held = asyncio.Event()
        self.held.set()
        self.fail = False

    async def read(self) -> str:
        self.reads += 1
        value = self.value  # what the query saw when it ran
        await self.held.wait()
        if self.fail:
            raise ConnectionError("the database is away")
        return value


async def started(cached: Reloaded[str]) -> asyncio.Task[str]:
    """A caller that has begun its read (or been answered)."""
    task = asyncio.create_task(cached.get())
    await asyncio.sleep(0)
    return task


async def rereading(table: Table, holding: str = "v1") -> tuple[Reloaded[str], asyncio.Task[str]]:
    """A value read once ("v1"), turned stale, and being read again by one caller while the table
    holds `holding` (that read held until `table.held` is set)."""
    cached = Reloaded(table.read, ttl=DAY)
    await cached.get()
    cached.ttl = 0
    table.value = holding
    table.held.clear()
    return cached, await started(cached)


async def test_a_fresh_value_costs_no_read() -> None:
    table = Table()
    cached = Reloaded(table.read, ttl=DAY)
    assert [await cached.get() for _ in range(5)] == ["v1"] * 5
    assert table.reads == 1


async def test_a_stale_value_is_read_again_once_while_the_others_keep_it() -> None:
    # Given a value that has turned stale, and a read of it again that takes a while
    table = Table()
    cached, first = await rereading(table, holding="v2")

    # When a hundred callers ask meanwhile
    others = await asyncio.gather(*(cached.get() for _ in range(100)))

    # Then only the first reads; the others are answered at once with the stale value
    assert table.reads == 2 and others == ["v1"] * 100
    cached.ttl = DAY
    table.held.set()
    assert await first == "v2" and await cached.get() == "v2" and table.reads == 2


async def test_after_a_change_here_nobody_gets_the_value_from_before() -> None:
    # Given a stale value being read again by one caller
    table = Table()
    cached, before_change = await rereading(table)

    # When this process changes the table and says so
    table.value = "v2"
    cached.forget()

    # Then the next caller reads for itself, and the read begun before the change is not kept
    after_change = await started(cached)
    table.held.set()
    cached.ttl = DAY
    assert await after_change == "v2" and await before_change == "v1"
    assert await cached.get() == "v2" and table.reads == 3


async def test_a_read_from_before_a_change_does_not_hold_back_the_next_one() -> None:
    # Given a read begun before a change, still under way after the value read since has turned stale
    table = Table()
    cached, slow = await rereading(table)
    cached.forget()
    table.held.set()
    await cached.get()
    table.held.clear()

    # When the next caller asks
    table.value = "v3"
    nxt = await started(cached)

    # Then it reads again itself: nobody else is reading what it would be given
    assert table.reads == 4
    table.held.set()
    assert await nxt == "v3" and await slow == "v1"


async def test_before_the_first_read_every_caller_reads_for_itself() -> None:
    table = Table()
    cached = Reloaded(table.read, ttl=DAY)
    table.held.clear()
    callers = [await started(cached) for _ in range(2)]
    table.held.set()
    assert await asyncio.gather(*callers) == ["v1", "v1"] and table.reads == 2


async def test_a_failed_read_is_tried_again_by_the_next_caller() -> None:
    table = Table()
    cached = Reloaded(table.read, ttl=0)
    await cached.get()
    table.fail = True
    with pytest.raises(ConnectionError):
        await cached.get()
    table.fail, table.value = False, "v2"
    assert await cached.get() == "v2"
