"""Plain SQL for insights: counters are upserts and reports are sums, which the ORM would rebuild
statement by statement; `?` marks work on both databases (rewritten for PostgreSQL)."""

from __future__ import annotations

from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub.leases import dialect_sql


def db(conn: BaseDBAsyncClient | None = None) -> BaseDBAsyncClient:
    return conn or connections.get("default")


async def query(sql: str, params: list[Any], conn: BaseDBAsyncClient | None = None) -> list[dict[str, Any]]:
    """Rows as dicts; RETURNING rows too (tortoise's `execute_query` drops them for INSERT on PostgreSQL)."""
    client = db(conn)
    return await client.execute_query_dict(dialect_sql(client, sql), params)


def postgres(conn: BaseDBAsyncClient | None = None) -> bool:
    return db(conn).capabilities.dialect == "postgres"
