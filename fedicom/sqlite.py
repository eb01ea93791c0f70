"""fedicom's SQLite engine for tortoise: its own, so that a long write transaction can run inline.

Tortoise's SQLite client sends every statement to aiosqlite's thread and waits for the answer: about
90 µs of hand-off per statement, far more than the indexed insert it carries (a few µs), and the two
threads then take turns on the GIL. Inbox processing runs runs of items in one write transaction
(`activitypub.shared_transaction`) and issues a dozen statements per item, so most of its time went
to hand-offs. `inline_transaction()` runs the statements of such a transaction on the calling thread
instead. It is safe because:

- the transaction holds the client's lock for its whole length, as tortoise's own transactions do,
  so no other statement is in aiosqlite's thread meanwhile (the connection allows use from another
  thread: `check_same_thread=False`, and SQLite serialises calls on one connection anyway);
- it starts with BEGIN IMMEDIATE, sent through the thread: the write lock is taken there, where
  waiting on another process (`busy_timeout`) does not stop the event loop; once it is held, no
  statement inside waits on a lock;
- COMMIT and ROLLBACK go through the thread too: a commit may checkpoint the log, which writes and
  syncs the database file.

What runs inline must therefore be short statements on indexed rows, as inbox processing's are; a
transaction that may scan a table keeps tortoise's ordinary, threaded transactions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite
from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)

ENGINE = __name__  # tortoise's `engine` setting for a SQLite database (see storage.tortoise_config)


class InlineConnection:
    """The calls tortoise's SQLite transactions make on aiosqlite's connection, run on this thread,
    except those that wait or write the file (BEGIN IMMEDIATE, COMMIT, ROLLBACK, scripts)."""

    def __init__(self, threaded: aiosqlite.Connection) -> None:
        self.threaded = threaded
        self._db: sqlite3.Connection = threaded._conn

    @property
    def total_changes(self) -> int:
        return self._db.total_changes

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> sqlite3.Cursor:
        return self._db.execute(sql, parameters or ())

    async def execute_insert(self, sql: str, parameters: Sequence[Any] | None = None) -> tuple[int | None]:
        return (self._db.execute(sql, parameters or ()).lastrowid,)

    async def execute_fetchall(self, sql: str, parameters: Sequence[Any] | None = None) -> list[Any]:
        return self._db.execute(sql, parameters or ()).fetchall()

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> sqlite3.Cursor:
        return self._db.executemany(sql, parameters)

    async def executescript(self, sql: str) -> None:
        await self.threaded.executescript(sql)

    async def commit(self) -> None:
        await self.threaded.commit()

    async def rollback(self) -> None:
        await self.threaded.rollback()


class _InlineTransaction(SqliteTransactionWrapper):
    """A transaction whose statements run inline; savepoints inside it inherit its connection."""

    async def begin(self) -> None:
        threaded = self._parent._connection  # connected by now (the context's ensure_connection)
        assert threaded is not None
        await threaded.execute("BEGIN IMMEDIATE")
        self._connection = InlineConnection(threaded)  # type: ignore[assignment]


class FedicomSqliteClient(SqliteClient):
    """Tortoise's SQLite client, with a connection usable from the event loop's thread too."""

    async def create_connection(self, with_db: bool) -> None:
        if self._connection:
            return
        self._connection = await aiosqlite.connect(
            self.filename, isolation_level=None, check_same_thread=False
        )
        self._connection._conn.row_factory = sqlite3.Row
        for pragma, value in self.pragmas.items():
            cursor = await self._connection.execute(f"PRAGMA {pragma}={value}")
            await cursor.close()
        await self._post_connect()

    def inline_transaction(self) -> TransactionContext:
        """A write transaction whose statements run on the calling thread (see the module's docstring)."""
        return SqliteTransactionContext(_InlineTransaction(self), self._lock)


client_class = FedicomSqliteClient
