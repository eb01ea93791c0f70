"""Counting takes turns: the backlog's batches, the hourly clean-up and a rebuild never change a
community's counted rows at the same time, whatever process they run in.

On PostgreSQL an advisory lock: a batch holds it with its transaction, a rebuild with a session of its
own for as long as it runs. On SQLite a file lock beside the database: the single writer serialises
one transaction at a time, not a rebuild's many, and the kernel lets go of the file lock when its
process ends, so a crash never leaves counting stopped.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from fedicom.errors import FedicomError
from fedicom.insights.db import db, postgres, query

LOCK = 0x1F5C0C07  # the PostgreSQL advisory lock's key
WAIT = 0.05  # seconds between two tries for the SQLite file lock
LOST = "the database session that stopped counting elsewhere has ended; run the rebuild again"

Alive = Callable[[], Awaitable[None]]


@asynccontextmanager
async def turn() -> AsyncIterator[BaseDBAsyncClient | None]:
    """A transaction in which this process alone counts, or None when another one is counting now."""
    if postgres():
        async with in_transaction() as conn:
            rows = await query("SELECT pg_try_advisory_xact_lock(?) AS ok", [LOCK], conn)
            yield conn if rows[0]["ok"] else None  # the lock goes with the transaction
        return
    with _file_lock() as got:
        if not got:
            yield None
            return
        async with in_transaction() as conn:
            yield conn


@asynccontextmanager
async def held() -> AsyncIterator[Alive]:
    """Nobody else counts until the block ends (waiting first for a batch under way to commit).

    Yields a check that raises when the lock is lost (on PostgreSQL, when its session is gone)."""
    if not postgres():
        async with _waited_file_lock():
            yield _always
        return
    async with db().acquire_connection() as session:  # taken from the pool for the whole rebuild
        await session.execute("SELECT pg_advisory_lock($1)", LOCK)
        try:

            async def alive() -> None:
                try:
                    await session.fetchval("SELECT 1")
                except Exception as exc:
                    raise FedicomError(LOST) from exc

            yield alive
        finally:  # session locks outlive transactions: let go before the pool takes the session back
            if not session.is_closed():
                await session.execute("SELECT pg_advisory_unlock($1)", LOCK)


async def _always() -> None:
    """A file lock lasts as long as this process, which is running this."""


@asynccontextmanager
async def _waited_file_lock() -> AsyncIterator[None]:
    while True:
        with _file_lock() as got:
            if got:
                yield
                return
        await asyncio.sleep(WAIT)


@contextmanager
def _file_lock() -> Iterator[bool]:
    """Try flock on `<database>.insights-lock`: each opening is a lock of its own, so two holders in one
    process exclude each other as two processes do. Opened read-only, so a lock file an administrator's
    command created stays usable by the server's user."""
    fd = os.open(_lock_path(), os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing lets go of the lock


def _lock_path() -> str:
    """Beside the SQLite database file (never the file itself: closing another handle on it would
    drop SQLite's own locks)."""
    filename = getattr(db(), "filename", None)
    if not isinstance(filename, str):
        raise RuntimeError("the insights lock is taken outside transactions (it names the database file)")
    return f"{filename}.insights-lock"
