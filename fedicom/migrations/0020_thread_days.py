"""Threads' figures per day (insight_thread_day) and their first-reply waits (insight_wait), filled in
from the threads counted so far, so a period's responsiveness reads a few rows per day."""

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

BANDS = ((60, "under_1h"), (240, "h1_4"), (1440, "h4_24"))
COLUMNS = (
    "threads",
    "questions",
    "staff_answered",
    "no_reply",
    "under_1h",
    "h1_4",
    "h4_24",
    "over_24h",
    "participants",
    "depth_sum",
)


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except Exception:
        return ZoneInfo("UTC")


async def _backfill(_apps: Any, schema_editor: Any) -> None:
    """Sum the stored threads per community day (the community's time zone, as counting does)."""
    client = schema_editor.client
    zones = {
        row["id"]: _zone(row["timezone"] or "UTC")
        for row in await client.execute_query_dict("SELECT id, timezone FROM community")
    }
    days: dict[tuple[int, Any], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(COLUMNS + ("depth_max",), 0)
    )
    waits: dict[tuple[int, Any, int], int] = defaultdict(int)
    rows = await client.execute_query_dict(
        "SELECT group_id, created_at, question, staff_replied, first_reply_minutes, participants, depth "
        "FROM insight_thread"
    )
    for row in rows:
        day = _moment(row["created_at"]).astimezone(zones.get(row["group_id"], ZoneInfo("UTC"))).date()
        sums = days[(row["group_id"], day)]
        sums["threads"] += 1
        sums["questions"] += 1 if row["question"] else 0
        sums["staff_answered"] += 1 if row["question"] and row["staff_replied"] else 0
        sums["participants"] += row["participants"]
        sums["depth_sum"] += row["depth"]
        sums["depth_max"] = max(sums["depth_max"], row["depth"])
        minutes = row["first_reply_minutes"]
        if minutes is None:
            sums["no_reply"] += 1
            continue
        sums[next((name for limit, name in BANDS if minutes < limit), "over_24h")] += 1
        waits[(row["group_id"], day, minutes)] += 1
    postgres = client.capabilities.dialect == "postgres"

    def values(n: int) -> str:
        return ", ".join(f"${i}" if postgres else "?" for i in range(1, n + 1))

    names = COLUMNS + ("depth_max",)
    for (group_id, day), sums in days.items():
        await client.execute_query(
            f"INSERT INTO insight_thread_day (group_id, day, {', '.join(names)}) VALUES ({values(len(names) + 2)})",
            [group_id, day, *(sums[n] for n in names)],
        )
    for (group_id, day, minutes), threads in waits.items():
        await client.execute_query(
            f"INSERT INTO insight_wait (group_id, day, minutes, threads) VALUES ({values(4)})",
            [group_id, day, minutes, threads],
        )


class Migration(migrations.Migration):
    dependencies = [("fedicom", "0019_listening")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ThreadDay",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "group",
                    fields.ForeignKeyField(
                        "fedicom.Group",
                        source_field="group_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="insight_thread_days",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("day", fields.DateField()),
                ("threads", fields.IntField(default=0)),
                ("questions", fields.IntField(default=0)),
                ("staff_answered", fields.IntField(default=0)),
                ("no_reply", fields.IntField(default=0)),
                ("under_1h", fields.IntField(default=0)),
                ("h1_4", fields.IntField(default=0)),
                ("h4_24", fields.IntField(default=0)),
                ("over_24h", fields.IntField(default=0)),
                ("participants", fields.IntField(default=0)),
                ("depth_sum", fields.IntField(default=0)),
                ("depth_max", fields.IntField(default=0)),
            ],
            options={
                "table": "insight_thread_day",
                "app": "fedicom",
                "unique_together": (("group", "day"),),
                "pk_attr": "id",
                "table_description": "The threads started on a day of the community's calendar, as they have been answered so far: what",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="WaitDay",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "group",
                    fields.ForeignKeyField(
                        "fedicom.Group",
                        source_field="group_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="insight_waits",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("day", fields.DateField()),
                ("minutes", fields.IntField()),
                ("threads", fields.IntField(default=0)),
            ],
            options={
                "table": "insight_wait",
                "app": "fedicom",
                "unique_together": (("group", "day", "minutes"),),
                "pk_attr": "id",
                "table_description": "How many of a day's threads waited so many minutes for their first reply: the exact median of a",
            },
            bases=["Model"],
        ),
        ops.RunPython(_backfill, ops.RunPython.noop),
    ]
