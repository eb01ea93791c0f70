"""Storage of the job queue: one row per job, claimed with a lease like deliveries and inbox items.

Times that workers compare in SQL (next try, leases) are epoch seconds in float columns, so the
same queries run unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class JobState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Job(Model):
    """One piece of work of a kind, with its JSON payload, run once by whichever process claims it."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=64)
    payload = fields.TextField(default="{}")  # JSON text: read the same way on SQLite and PostgreSQL
    state = fields.CharField(max_length=12, default=JobState.PENDING.value)  # a JobState
    tries = fields.IntField(default=0)
    next_try_at = fields.FloatField()
    lease_until = fields.FloatField(null=True)
    leased_by = fields.CharField(max_length=32, null=True)  # the WorkerProcess holding the lease
    last_error = fields.TextField(null=True)
    # the same key is never queued twice, e.g. "digest:alice:2026-12-05"
    key = fields.CharField(max_length=255, null=True, unique=True)
    created_at = fields.FloatField()
    updated_at = fields.FloatField()

    class Meta:
        table = "job"
        indexes = (("state", "next_try_at"),)

    @property
    def data(self) -> dict[str, Any]:
        value = json.loads(self.payload)
        return value if isinstance(value, dict) else {}

    @property
    def progress(self) -> Progress | None:
        """Where a long job got to, when it says (its payload's `progress`: stage, done, total)."""
        shown = self.data.get("progress")
        if not isinstance(shown, dict):
            return None
        try:
            return Progress(str(shown["stage"]), int(shown["done"]), int(shown["total"]))
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Progress:
    """A long job's progress as it saves it with each step: the stage, and how far into it."""

    stage: str
    done: int
    total: int

    def as_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "done": self.done, "total": self.total}

    def __str__(self) -> str:
        return f"{self.stage} {self.done}/{self.total}"
