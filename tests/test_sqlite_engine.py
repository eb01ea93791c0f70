"""fedicom's SQLite engine: an inline transaction runs its statements on the event loop's thread, keeps
every guarantee of a transaction (commit, rollback, savepoints, one writer), and waits for another
process's write lock without stopping the event loop. SQLite only: the engine is SQLite's."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from fedicom import storage
from fedicom.settings import load_settings
from fedicom.sqlite import FedicomSqliteClient


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[FedicomSqliteClient]:
    settings = load_settings(dev=True, data_dir=tmp_path, database_url=f"sqlite://{tmp_path}/engine.sqlite3")
    await storage.open_db(settings)
    conn = connections.get("default")
    assert isinstance(conn, FedicomSqliteClient)
    await conn.execute_script("CREATE TABLE item (n INTEGER NOT NULL UNIQUE)")
    raw: sqlite3.Connection = conn._connection._conn  # type: ignore[union-attr]
    raw.create_function("thread", 0, threading.get_ident)
    yield conn
    await storage.close_db()


async def items(conn: FedicomSqliteClient) -> list[int]:
    _, rows = await conn.execute_query("SELECT n FROM item ORDER BY n")
    return [row["n"] for row in rows]


async def test_an_inline_transaction_runs_on_this_thread_and_others_in_the_drivers(
    client: FedicomSqliteClient,
) -> None:
    here = threading.get_ident()
    _, rows = await client.execute_query("SELECT thread() AS t")
    assert rows[0]["t"] != here
    async with client.inline_transaction() as conn:
        _, rows = await conn.execute_query("SELECT thread() AS t")
        assert rows[0]["t"] == here
        async with in_transaction() as nested:  # a handler's own transaction: a savepoint, inline too
            _, rows = await nested.execute_query("SELECT thread() AS t")
            assert rows[0]["t"] == here


async def test_commit_rollback_and_savepoints_keep_their_meaning(client: FedicomSqliteClient) -> None:
    async with client.inline_transaction() as conn:
        await conn.execute_insert("INSERT INTO item (n) VALUES (?)", [1])
        with pytest.raises(RuntimeError):
            async with in_transaction() as nested:
                await nested.execute_query("INSERT INTO item (n) VALUES (?)", [2])
                raise RuntimeError("the handler failed")  # its savepoint is rolled back, not item 1
        await conn.execute_many("INSERT INTO item (n) VALUES (?)", [[3], [4]])
    assert await items(client) == [1, 3, 4]

    with pytest.raises(RuntimeError):
        async with client.inline_transaction() as conn:
            await conn.execute_query("INSERT INTO item (n) VALUES (?)", [5])
            raise RuntimeError("the run failed")
    assert await items(client) == [1, 3, 4]


async def test_constraint_errors_are_tortoises_as_in_any_transaction(client: FedicomSqliteClient) -> None:
    from tortoise.exceptions import IntegrityError

    async with client.inline_transaction() as conn:
        await conn.execute_query("INSERT INTO item (n) VALUES (?)", [7])
        with pytest.raises(IntegrityError):
            await conn.execute_query("INSERT INTO item (n) VALUES (?)", [7])


async def test_other_tasks_wait_for_the_inline_transaction(client: FedicomSqliteClient) -> None:
    seen: list[list[int]] = []

    async def reader() -> None:
        seen.append(await items(client))

    async with client.inline_transaction() as conn:
        await conn.execute_query("INSERT INTO item (n) VALUES (?)", [1])
        task = asyncio.create_task(reader())
        await asyncio.sleep(0.05)
        assert not task.done()  # one connection, one writer: it waits for the commit
        await conn.execute_query("INSERT INTO item (n) VALUES (?)", [2])
    await task
    assert seen == [[1, 2]]


async def test_waiting_for_another_writer_does_not_stop_the_event_loop(
    client: FedicomSqliteClient, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "engine.sqlite3", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock for a moment
    other.execute("INSERT INTO item (n) VALUES (100)")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    beat = asyncio.create_task(ticker())
    threading.Timer(0.5, other.commit).start()
    async with client.inline_transaction() as conn:  # BEGIN IMMEDIATE waits in the driver's thread
        await conn.execute_query("INSERT INTO item (n) VALUES (?)", [1])
    beat.cancel()
    other.close()
    assert ticks >= 20  # the loop kept running through the half-second wait
    assert await items(client) == [1, 100]
