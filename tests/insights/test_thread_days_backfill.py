"""Migration 0020 fills the threads' daily sums from the threads counted before it: the same rows
counting writes as activity arrives, in the community's time zone."""

from __future__ import annotations

import importlib
import random
from types import SimpleNamespace
from typing import Any

from tortoise import connections

from tests.insights.test_history import generate
from tests.support.servers import Instance

MIGRATION = importlib.import_module("fedicom.migrations.0020_thread_days")


async def _rows(table: str, columns: str) -> list[dict[str, Any]]:
    conn = connections.get("default")
    rows = await conn.execute_query_dict(f"SELECT {columns} FROM {table} ORDER BY {columns}")
    return [{k: str(v) for k, v in row.items()} for row in rows]


async def test_backfill_writes_what_counting_wrote(instance) -> None:
    inst: Instance = await instance()
    await generate(inst, random.Random(3))  # counted live: the rows 0020 should rebuild
    columns = {
        "insight_thread_day": "group_id, day, threads, questions, staff_answered, no_reply, under_1h, h1_4, "
        "h4_24, over_24h, participants, depth_sum, depth_max",
        "insight_wait": "group_id, day, minutes, threads",
    }
    counted = {table: await _rows(table, names) for table, names in columns.items()}
    assert len(counted["insight_thread_day"]) > 30 and len(counted["insight_wait"]) > 30

    conn = connections.get("default")
    for table in columns:
        await conn.execute_script(f"DELETE FROM {table}")
    await MIGRATION._backfill(None, SimpleNamespace(client=conn))

    assert {table: await _rows(table, names) for table, names in columns.items()} == counted
