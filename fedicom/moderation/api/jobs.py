"""Admin API: what the job queue holds (admins only: payloads name staff and notifications)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from fedicom.jobs.models import Job, JobState
from fedicom.jobs.queue import list_jobs
from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import Strict
from fedicom.moderation.api.registry import api


class JobOut(BaseModel):
    id: int
    kind: str
    state: JobState
    key: str | None
    payload: dict[str, Any]
    tries: int
    next_try_at: float = Field(description="Epoch seconds of the next try (of the last, once ended).")
    last_error: str | None
    created_at: float
    updated_at: float


class JobQuery(Strict):
    state: JobState | None = Field(None, description="Only jobs in this state.")
    kind: str | None = Field(None, max_length=64, pattern=r"^[a-z0-9_.:-]+$", examples=["notify.email"])
    limit: int = Field(100, ge=1, le=1000)


def job_out(job: Job) -> JobOut:
    return JobOut(
        id=job.id,
        kind=job.kind,
        state=JobState(job.state),
        key=job.key,
        payload=job.data,
        tries=job.tries,
        next_try_at=job.next_try_at,
        last_error=job.last_error,
        created_at=job.created_at,
        updated_at=job.updated_at,
    )


@api.endpoint(
    "GET",
    "/jobs",
    summary="List queued jobs",
    scope="admin",
    tag="jobs",
    query=JobQuery,
    response=list[JobOut],
)
async def jobs_list(call: Call, query: JobQuery) -> list[JobOut]:
    """Newest first: pending, done (kept a day), failed (with the reason) and cancelled jobs."""
    return [job_out(j) for j in await list_jobs(state=query.state, kind=query.kind, limit=query.limit)]
