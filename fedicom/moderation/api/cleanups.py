"""Admin API: the clean-up jobs that bans with removeData and suspensions queue (moderation/cleanup.py).

A ban or a block answers at once with its clean-up; this endpoint follows it to the end.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from fedicom.errors import NotFound
from fedicom.jobs.models import Job, JobState
from fedicom.moderation import cleanup
from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import IdPath
from fedicom.moderation.api.registry import api


class CleanupOut(BaseModel):
    """A clean-up job and where it got to."""

    job: int = Field(description="The job's id (GET /cleanups/{id} follows it).")
    state: JobState = Field(description="pending while it runs (or waits to be retried), then done.")
    what: str = Field(description="ban (a ban's removeData) or suspend.", examples=["ban"])
    target: str = Field(description="The banned actor, or the suspended domain(s).")
    community: str | None = Field(description="None: every community.")
    stage: str = Field(examples=["removing posts"])
    done: int = Field(description="Rows of this stage gone through.")
    total: int = Field(description="Rows of this stage, counted when it began.")
    counts: dict[str, int] = Field(description="What it removed so far: posts_removed, members_removed…")
    error: str | None = Field(description="Why the last try failed, when one did.")


def cleanup_out(job: Job) -> CleanupOut:
    found = cleanup.summary(job)
    return CleanupOut(
        job=found.job,
        state=JobState(found.state),
        what=found.what,
        target=found.target,
        community=found.community,
        stage=found.stage,
        done=found.done,
        total=found.total,
        counts=found.counts,
        error=found.error,
    )


@api.endpoint(
    "GET",
    "/cleanups/{id}",
    summary="Follow a clean-up",
    scope="read",
    tag="bans",
    path_model=IdPath,
    response=CleanupOut,
)
async def cleanups_get(call: Call, path: IdPath) -> CleanupOut:
    """A clean-up's progress: of a community the caller moderates, or any (admins). Kept a day once done."""
    job = await Job.get_or_none(id=path.id, kind=cleanup.KIND)
    if job is None:
        raise NotFound(f"there is no clean-up #{path.id}")
    found = cleanup.summary(job)
    if found.community is None:
        call.require_admin()
    else:
        await call.community(found.community)
    return cleanup_out(job)
