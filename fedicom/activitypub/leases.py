"""Claiming due jobs from a table with a lease, so several worker processes never take the same row.

A claimed row holds `lease_until` in the future and names its holder (`leased_by`); a crashed
worker's rows become claimable again as soon as it is known to be gone (see holders), or at the
latest when their lease runs out, so nothing queued is ever lost.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Iterable
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient


def _marks(dialect: str, start: int, count: int) -> list[str]:
    return ["?" if dialect == "sqlite" else f"${start + i}" for i in range(count)]


async def claim(
    table: str,
    columns: str,
    *,
    limit: int,
    lease: float,
    holder: str | None = None,
    extra_where: str = "",
    order: str = "id",
) -> list[dict[str, Any]]:
    """Lease up to `limit` pending rows whose next try is due, oldest first, for `holder`;
    returns their columns."""
    conn = connections.get("default")
    dialect = conn.capabilities.dialect
    now = time.time()
    m = _marks(dialect, 1, 5)
    lock = " FOR UPDATE SKIP LOCKED" if dialect == "postgres" else ""
    sql = (
        f"UPDATE {table} SET lease_until = {m[0]}, leased_by = {m[1]} WHERE id IN ("
        f"SELECT d.id FROM {table} d WHERE d.state = 'pending' AND d.next_try_at <= {m[2]} "
        f"AND (d.lease_until IS NULL OR d.lease_until < {m[3]}) {extra_where} "
        f"ORDER BY d.{order} LIMIT {m[4]}{lock}) RETURNING {columns}"
    )
    # execute_query_dict fetches rows for UPDATE … RETURNING on both backends
    result: list[dict[str, Any]] = await conn.execute_query_dict(sql, [now + lease, holder, now, now, limit])
    result.sort(key=lambda r: r["id"])
    return result


async def renew(table: str, ids: list[int], lease: float) -> None:
    """Extend the lease of rows still being worked on."""
    if not ids:
        return
    conn = connections.get("default")
    dialect = conn.capabilities.dialect
    m = _marks(dialect, 1, len(ids) + 1)
    sql = f"UPDATE {table} SET lease_until = {m[0]} WHERE id IN ({', '.join(m[1:])}) AND state = 'pending'"
    await conn.execute_query(sql, [time.time() + lease, *ids])


LEASED_TABLES = ("delivery", "inbox_item")


async def release(holder: str, tables: Iterable[str] = LEASED_TABLES) -> int:
    """Make every pending job leased by `holder` claimable now; how many were."""
    conn = connections.get("default")
    sql = dialect_sql(
        conn,
        "UPDATE {table} SET lease_until = NULL, leased_by = NULL WHERE leased_by = ? AND state = 'pending'",
    )
    total = 0
    for table in tables:
        count, _ = await conn.execute_query(sql.format(table=table), [holder])
        total += count
    return total


async def nap(wake: asyncio.Event, stop: asyncio.Event, poll: float = 1.0) -> None:
    """Idle until woken (new work), stopped, or `poll` seconds pass (to see other processes' work).

    A wake that came while the caller was busy returns at once, so no new work waits a poll.
    """
    if not wake.is_set() and not stop.is_set():
        waiter = asyncio.create_task(wake.wait())
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait({waiter, stopper}, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        stopper.cancel()
    wake.clear()


def dialect_sql(client: BaseDBAsyncClient, sql: str) -> str:
    """Rewrite `?` parameter marks as `$n` for PostgreSQL."""
    if client.capabilities.dialect != "postgres":
        return sql
    return _numbered(sql)


@functools.lru_cache(maxsize=1024)  # the same few statements, several times per inbox item
def _numbered(sql: str) -> str:
    parts = sql.split("?")
    return "".join(p + (f"${i + 1}" if i < len(parts) - 1 else "") for i, p in enumerate(parts))


async def execute_many(sql: str, rows: list[list[Any]]) -> None:
    """Run one parameterised statement (`?` marks) for many rows in one transaction."""
    if not rows:
        return
    conn = connections.get("default")
    await conn.execute_many(dialect_sql(conn, sql), rows)
