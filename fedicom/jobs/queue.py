"""Putting jobs in the queue, taking them out, and what staff see of it.

A job is queued in the caller's transaction when one is given, so it exists exactly when the change
that asked for it commits. A `key` makes queuing idempotent: the same key is never queued twice,
whatever state the first job is in (until it is pruned).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub.leases import dialect_sql
from fedicom.errors import BadRequest
from fedicom.jobs.models import Job, JobState

DONE_KEEP = 24 * 3600  # like deliveries: a finished job is kept a day, to be looked at
FAILED_KEEP = 14 * 24 * 3600
MAX_KEY = 255


async def enqueue(
    kind: str,
    payload: Mapping[str, Any],
    *,
    run_at: float | None = None,
    key: str | None = None,
    conn: BaseDBAsyncClient | None = None,
) -> bool:
    """Queue a job of `kind` to run at `run_at` (epoch seconds; now by default). False when a job
    with the same `key` is already queued (or was, and is not pruned yet): nothing is added then."""
    if key is not None and len(key) > MAX_KEY:
        raise BadRequest(f"a job key is at most {MAX_KEY} characters")
    client = conn or connections.get("default")
    now = time.time()
    sql = (
        "INSERT INTO job (kind, payload, state, tries, next_try_at, key, created_at, updated_at) "
        "VALUES (?, ?, 'pending', 0, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id"
    )
    text = json.dumps(dict(payload), separators=(",", ":"), ensure_ascii=False)
    rows = await client.execute_query_dict(
        dialect_sql(client, sql), [kind, text, run_at if run_at is not None else now, key, now, now]
    )
    return bool(rows)


async def cancel(key: str, *, conn: BaseDBAsyncClient | None = None) -> bool:
    """Cancel the pending job with this key (e.g. a scheduled post taken back); False if none is.

    A job already running finishes; one cancelled is never claimed again.
    """
    updated = (
        await Job.filter(key=key, state=JobState.PENDING)
        .using_db(conn)
        .update(state=JobState.CANCELLED, lease_until=None, updated_at=time.time())
    )
    return bool(updated)


async def list_jobs(*, state: JobState | None = None, kind: str | None = None, limit: int = 100) -> list[Job]:
    """Newest first, for staff looking at what the queue holds."""
    query = Job.all()
    if state is not None:
        query = query.filter(state=state)
    if kind is not None:
        query = query.filter(kind=kind)
    return await query.order_by("-id").limit(limit)


async def prune(now: float) -> int:
    """Drop finished jobs: done ones after a day, failed or cancelled ones after two weeks."""
    done = await Job.filter(state=JobState.DONE, updated_at__lt=now - DONE_KEEP).delete()
    ended = await Job.filter(
        state__in=[JobState.FAILED, JobState.CANCELLED], updated_at__lt=now - FAILED_KEEP
    ).delete()
    return done + ended
