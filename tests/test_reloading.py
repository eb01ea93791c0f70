"""A cached list read again once stale: one read for many callers, never a value from before a change."""

from __future__ import annotations

import asyncio

import pytest

from fedicom.reloading import Reloaded


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


async def test_a_fresh_value_costs_no_read() -> None:
    table = Table()
    cached = Reloaded(table.read, "", ttl=60)
    assert [await cached.get() for _ in range(5)] == ["v1"] * 5
    assert table.reads == 1


async def test_a_stale_value_is_read_again_once_while_the_others_keep_it() -> None:
    # Given a value that has turned stale, and a read of it again that takes a while
    table = Table()
    cached = Reloaded(table.read, "", ttl=0.05)
    await cached.get()
    await asyncio.sleep(0.06)
    table.value = "v2"
    table.held.clear()

    # When a hundred callers ask meanwhile
    first = asyncio.create_task(cached.get())
    await asyncio.sleep(0)
    others = await asyncio.gather(*(cached.get() for _ in range(100)))

    # Then only the first reads; the others are answered at once with the stale value
    assert table.reads == 2 and others == ["v1"] * 100
    table.held.set()
    assert await first == "v2" and await cached.get() == "v2" and table.reads == 2


async def test_after_a_change_here_nobody_gets_the_value_from_before() -> None:
    # Given a stale value being read again by one caller
    table = Table()
    cached = Reloaded(table.read, "", ttl=0.05)
    await cached.get()
    await asyncio.sleep(0.06)
    table.held.clear()
    before_change = asyncio.create_task(cached.get())
    await asyncio.sleep(0)

    # When this process changes the table and says so
    table.value = "v2"
    cached.forget()

    # Then the next caller reads for itself, and the read begun before the change is not kept
    after_change = asyncio.create_task(cached.get())
    await asyncio.sleep(0)
    table.held.set()
    assert await after_change == "v2" and await before_change == "v1"
    assert await cached.get() == "v2" and table.reads == 3


async def test_before_the_first_read_every_caller_reads_for_itself() -> None:
    table = Table()
    cached = Reloaded(table.read, "placeholder", ttl=60)
    table.held.clear()
    callers = [asyncio.create_task(cached.get()) for _ in range(2)]
    await asyncio.sleep(0)
    table.held.set()
    assert await asyncio.gather(*callers) == ["v1", "v1"] and table.reads == 2


async def test_a_failed_read_is_tried_again_by_the_next_caller() -> None:
    table = Table()
    cached = Reloaded(table.read, "", ttl=0)
    await cached.get()
    table.fail = True
    with pytest.raises(ConnectionError):
        await cached.get()
    table.fail, table.value = False, "v2"
    assert await cached.get() == "v2"
