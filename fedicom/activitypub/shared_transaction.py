"""One SQLite transaction shared by consecutive inbox items, committed together.

On SQLite every query goes through one connection, so inbox items are processed one after the other
anyway; what each item's own transaction adds is its BEGIN and COMMIT and the pages its COMMIT
writes to the log again (the post, delivery and inbox tables' pages are the same from one item to
the next). Items processed inside a shared transaction keep their own transactions as savepoints:
a handler's work still commits with its inbox item or not at all, and a handler that fails rolls
back its own work only. A crash before the shared COMMIT loses nothing: the items were not marked
done either, so they are processed again.

The run's statements execute on the event loop's thread (the inline transaction of fedicom's SQLite engine):
handing each to the driver's thread and back cost more than the statement itself, and processing
issues a dozen short indexed ones per item.

A shared transaction must never be held while a remote server takes its time (the whole server
waits on it, SQLite having one writer): `outside_shared_transaction` commits what is done before a
network wait and opens a new one after. PostgreSQL processes items concurrently on several
connections and gains nothing from this.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import AsyncIterator
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction


class SharedTransaction:
    """The open transaction of a run of items, in the task that processes them."""

    def __init__(self) -> None:
        self._task = asyncio.current_task()
        self._context: Any = None
        self._conn: BaseDBAsyncClient | None = None

    async def open(self) -> None:
        # fedicom's SQLite engine (`fedicom.sqlite`) offers an inline transaction; asked for by name so
        # that the protocol layer depends on no storage module
        inline = getattr(connections.get("default"), "inline_transaction", None)
        self._context = inline() if inline is not None else in_transaction()
        self._conn = await self._context.__aenter__()

    async def close(self, failed: BaseException | None = None) -> None:
        """Commit (roll back when `failed`); closing a closed one does nothing."""
        context, self._context, self._conn = self._context, None, None
        if context is not None:
            await context.__aexit__(type(failed) if failed else None, failed, None)

    def idle(self) -> bool:
        """Open, in its own task, with no transaction of the caller's own inside it (a savepoint's
        work cannot be committed half-way, so a wait inside one holds the database as it did before)."""
        return (
            self._conn is not None
            and asyncio.current_task() is self._task
            and connections.get(self._conn.connection_name) is self._conn
        )


_shared: contextvars.ContextVar[SharedTransaction | None] = contextvars.ContextVar(
    "fedicom_shared_transaction", default=None
)


@contextlib.asynccontextmanager
async def shared_transaction() -> AsyncIterator[None]:
    """Run the block's inbox items in one transaction, committed at its end (rolled back on error)."""
    shared = SharedTransaction()
    await shared.open()
    token = _shared.set(shared)
    try:
        yield
    except BaseException as exc:
        await shared.close(exc)
        raise
    else:
        await shared.close()
    finally:
        _shared.reset(token)


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
