"""One transaction shared by consecutive inbox items, committed together with their outcomes.

Each inbox item's own transaction costs a BEGIN and a COMMIT: two round trips of a PostgreSQL
connection (a quarter of a post's), and on SQLite the pages its COMMIT writes to the log again (the
post, delivery and inbox tables' pages are the same from one item to the next). So a run of items
is processed in one transaction, and the handlers' transactions (`joined_transaction`) join it
instead of opening savepoints, which would cost PostgreSQL the same two round trips again. Every
item's outcome is written with the run's COMMIT, so an item's effects and its completion still
commit together, and a crash before the COMMIT loses nothing: the items were not marked done
either, and are processed again.

With no savepoints, a handler that fails inside its transaction (or fails in any way but a refusal)
spoils the run: the inbox rolls it back and processes its items again one at a time in their own
transactions, where a failure loses only its own work, as it always did.

On SQLite the run's statements execute on the event loop's thread (the inline transaction of
fedicom's SQLite engine): handing each to the driver's thread and back cost more than the statement
itself. On PostgreSQL several runs go on at once, one per connection (see `inbox.lanes_of`).

A shared transaction must never be held while a remote server takes its time (on SQLite the whole
server waits on it, having one writer; on PostgreSQL it holds locks and a connection):
`outside_shared_transaction` commits what is done before a network wait and opens a new one after.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import AsyncIterator, Callable
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction


class SharedTransaction:
    """The open transaction of a run of items, in the task that processes them."""

    def __init__(self, after_commit: Callable[[], None] = lambda: None) -> None:
        self._task = asyncio.current_task()
        self._context: Any = None
        self._conn: BaseDBAsyncClient | None = None
        self._joined = 0  # handler transactions inside it now
        self._after_commit = after_commit
        self.spoiled = False  # a handler failed inside it: only rolling back is left
        self._later: dict[str, list[list[Any]]] = {}  # rows written just before the commit, by statement

    async def open(self) -> None:
        # fedicom's SQLite engine (`fedicom.sqlite`) offers an inline transaction; asked for by name so
        # that the protocol layer depends on no storage module
        inline = getattr(connections.get("default"), "inline_transaction", None)
        self._context = inline() if inline is not None else in_transaction()
        self._conn = await self._context.__aenter__()

    async def close(self, failed: BaseException | None = None) -> None:
        """Commit (roll back when `failed` or spoiled); closing a closed one does nothing."""
        context, conn = self._context, self._conn
        if context is None or conn is None:
            return
        self._context, self._conn = None, None
        if failed is None and self.spoiled:
            failed = RuntimeError("a handler failed inside the shared transaction")
        later, self._later = self._later, {}
        if failed is None:
            try:
                for sql, rows in later.items():
                    await conn.execute_many(sql, rows)
            except BaseException as exc:
                await context.__aexit__(type(exc), exc, None)
                raise
        await context.__aexit__(type(failed) if failed else None, failed, None)
        if failed is None:
            self._after_commit()

    def later(self, sql: str, row: list[Any]) -> None:
        """Write `row` just before the next commit, with the other rows of the same statement in one
        `executemany`, in the order they came (nothing if the work is rolled back). `sql` is in the
        connection's dialect."""
        self._later.setdefault(sql, []).append(row)

    def mine(self) -> bool:
        """Open, and this is the task processing its run."""
        return self._conn is not None and asyncio.current_task() is self._task

    def idle(self) -> bool:
        """Open in its own task, with no handler transaction or savepoint inside it (a handler's work
        cannot be committed half-way, so a wait inside one holds the database as it did before)."""
        return (
            self.mine()
            and not self.spoiled
            and self._joined == 0
            and self._conn is not None
            and connections.get(self._conn.connection_name) is self._conn
        )


_shared: contextvars.ContextVar[SharedTransaction | None] = contextvars.ContextVar(
    "fedicom_shared_transaction", default=None
)


def in_shared_run() -> bool:
    """Whether the calling task is processing a run of items in a shared transaction."""
    shared = _shared.get()
    return shared is not None and shared.mine()


@contextlib.asynccontextmanager
async def shared_transaction(
    after_commit: Callable[[], None] = lambda: None,
) -> AsyncIterator[SharedTransaction]:
    """Run the block's inbox items in one transaction, committed at its end (rolled back on error or
    when spoiled); `after_commit` runs after every commit."""
    shared = SharedTransaction(after_commit)
    await shared.open()
    token = _shared.set(shared)
    try:
        yield shared
    except BaseException as exc:
        await shared.close(exc)
        raise
    else:
        await shared.close()
    finally:
        _shared.reset(token)


async def write_with_commit(conn: BaseDBAsyncClient, sql: str, row: list[Any]) -> None:
    """Write a row that only has to commit with the work done in `conn` (a backlog row nothing reads
    before then): in a shared run, just before its commit (`SharedTransaction.later`); elsewhere at
    once. `sql` is already in `conn`'s dialect."""
    shared = _shared.get()
    if shared is not None and shared.mine() and conn is shared._conn:
        shared.later(sql, row)
        return
    await conn.execute_query(sql, row)


@contextlib.asynccontextmanager
async def joined_transaction() -> AsyncIterator[BaseDBAsyncClient]:
    """A handler's transaction: the shared one when a run is open and idle here (an exception
    leaving the block spoils the run), its own otherwise."""
    shared = _shared.get()
    if shared is None or not shared.idle() or shared._conn is None:
        async with in_transaction() as conn:
            yield conn
        return
    shared._joined += 1
    try:
        yield shared._conn
    except BaseException:
        shared.spoiled = True
        raise
    finally:
        shared._joined -= 1


@contextlib.asynccontextmanager
async def outside_shared_transaction() -> AsyncIterator[None]:
    """Around a wait on the network: the shared transaction, if one is open and idle here, is
    committed before and a new one opened after."""
    shared = _shared.get()
    if shared is None or not shared.idle():
        yield
        return
    await shared.close()
    try:
        yield
    finally:
        await shared.open()
