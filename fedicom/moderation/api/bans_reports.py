"""Admin API: bans (moderation/bans.py) and the report queue (moderation/reports.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from fedicom.errors import NotFound
from fedicom.moderation import bans, cleanup, reports
from fedicom.moderation.api.cleanups import CleanupOut, cleanup_out
from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import NO_NUL, IdPath, Name, Reason, Strict
from fedicom.moderation.api.registry import api
from fedicom.moderation.expiry import parse_expiry
from fedicom.moderation.models import Ban, Report


class BanOut(BaseModel):
    id: int
    actor: str
    community: str | None = Field(description="None for an instance-wide ban.")
    reason: str
    remove_data: bool
    expires_at: datetime | None
    active: bool
    moderator: str
    created_at: datetime


class BanCreated(BanOut):
    cleanup: CleanupOut | None = Field(
        description="With remove_data, the removal of their posts (queued): GET /cleanups/{job} follows it."
    )


class BanQuery(Strict):
    community: Name | None = Field(None, description="This community's bans (default: instance-wide ones).")


class BanCreate(Strict):
    actor: str = Field(
        min_length=3,
        max_length=1024,
        pattern=NO_NUL,
        description="An actor URL or @user@host.",
        examples=["@troll@bad.example"],
    )
    community: Name | None = Field(
        None, description="Ban in this community (default: instance-wide, admins)."
    )
    reason: Reason
    expires: str | None = Field(
        None,
        max_length=40,
        pattern=NO_NUL,
        description="7d, 12h, 30m, 2w, or a date (2026-12-31).",
        examples=["7d"],
    )
    remove_data: bool = Field(False, description="Also remove the actor's posts in scope.")


def ban_out(item: Ban) -> BanOut:
    return BanOut(
        id=item.id,
        actor=item.actor,
        community=item.community.name if item.community else None,
        reason=item.reason,
        remove_data=item.remove_data,
        expires_at=item.expires_at,
        active=bans.is_active(item),
        moderator=item.moderator,
        created_at=item.created_at,
    )


@api.endpoint(
    "GET", "/bans", summary="List bans", scope="read", tag="bans", query=BanQuery, response=list[BanOut]
)
async def bans_list(call: Call, query: BanQuery) -> list[BanOut]:
    """A community's bans (the caller must moderate it), or the instance-wide ones (admins), newest first."""
    if query.community:
        await call.community(query.community)
    else:
        call.require_admin()
    return [ban_out(b) for b in await bans.list_bans(query.community)]


@api.endpoint(
    "POST",
    "/bans",
    summary="Ban an actor",
    scope="moderate",
    tag="bans",
    body=BanCreate,
    response=BanCreated,
    status=201,
)
async def bans_add(call: Call, body: BanCreate) -> BanCreated:
    """The Block is sent to the actor's server and announced by the community (instance-wide: to every
    server with members here); their membership ends and their follows, posts and votes are refused.
    With remove_data, their posts are removed by a clean-up job, answered at once."""
    until = parse_expiry(body.expires, now=datetime.now(UTC)) if body.expires else None
    item = await bans.ban(
        call.ctx,
        call.staff,
        body.actor,
        community=body.community,
        reason=body.reason,
        expires=until,
        remove_data=body.remove_data,
    )
    await item.fetch_related("community")
    job = await cleanup.job_of_ban(item.activity_id) if item.remove_data else None
    return BanCreated(**ban_out(item).model_dump(), cleanup=cleanup_out(job) if job else None)


@api.endpoint("DELETE", "/bans/{id}", summary="Lift a ban", scope="moderate", tag="bans", path_model=IdPath)
async def bans_remove(call: Call, path: IdPath) -> None:
    """Undo{Block} goes where the Block went."""
    item = await Ban.filter(id=path.id).prefetch_related("community").first()
    if item is None:
        raise NotFound(f"there is no ban #{path.id}")
    await bans.unban(
        call.ctx, call.staff, item.actor, community=item.community.name if item.community else None
    )


class ReportOut(BaseModel):
    id: int
    community: str | None = Field(description="None for a report to the instance's admins.")
    reporter: str
    targets: list[str]
    author: str | None
    reason: str
    state: str = Field(json_schema_extra={"enum": list(reports.STATES)})
    resolution: str
    resolved_by: str | None
    resolved_at: datetime | None
    created_at: datetime


class ReportQuery(Strict):
    community: Name | None = Field(None, description="Only this community's queue.")
    state: str = Field("open", json_schema_extra={"enum": [*reports.STATES, "all"]})


Target = Annotated[str, Field(max_length=2048, pattern=reports.TARGET_PATTERN)]


class ReportCreate(Strict):
    targets: list[Target] = Field(
        min_length=1, max_length=20, description="URLs of the posts or accounts reported."
    )
    reason: Reason
    community: Name | None = None


class Closing(Strict):
    reason: Reason


class Forwarding(Strict):
    to_author: bool = Field(False, description="Also send it to the reported author's server.")


class Forwarded(BaseModel):
    servers: list[str]


def report_out(r: Report) -> ReportOut:
    return ReportOut(
        id=r.id,
        community=r.community.name if r.community else None,
        reporter=r.reporter,
        targets=r.targets,
        author=r.author,
        reason=r.reason,
        state=r.state,
        resolution=r.resolution,
        resolved_by=r.resolved_by,
        resolved_at=r.resolved_at,
        created_at=r.created_at,
    )


@api.endpoint(
    "GET",
    "/reports",
    summary="The report queue",
    scope="read",
    tag="reports",
    query=ReportQuery,
    response=list[ReportOut],
)
async def reports_list(call: Call, query: ReportQuery) -> list[ReportOut]:
    """The caller's communities' reports (admins: every report, the instance's own too), newest first."""
    found = await reports.list_reports(call.ctx, call.staff, community=query.community, state=query.state)
    return [report_out(r) for r in found]


@api.endpoint(
    "GET",
    "/reports/{id}",
    summary="One report",
    scope="read",
    tag="reports",
    path_model=IdPath,
    response=ReportOut,
)
async def reports_show(call: Call, path: IdPath) -> ReportOut:
    return report_out(await reports.get_report(call.ctx, call.staff, path.id))


@api.endpoint(
    "POST",
    "/reports",
    summary="File a report",
    scope="moderate",
    tag="reports",
    body=ReportCreate,
    response=ReportOut,
    status=201,
)
async def reports_file(call: Call, body: ReportCreate) -> ReportOut:
    """A report filed by staff, queued like a Flag (its community found from the posts if not named)."""
    filed = await reports.file_report(
        call.ctx, call.staff, body.targets, reason=body.reason, community=body.community
    )
    await filed.fetch_related("community")
    return report_out(filed)


@api.endpoint(
    "POST",
    "/reports/{id}/resolve",
    summary="Resolve a report",
    scope="moderate",
    tag="reports",
    path_model=IdPath,
    body=Closing,
    response=ReportOut,
)
async def reports_resolve(call: Call, path: IdPath, body: Closing) -> ReportOut:
    """Closed: action was taken. The reason goes to the modlog; remote moderators get Resolve{Flag}."""
    return report_out(await reports.resolve_report(call.ctx, call.staff, path.id, reason=body.reason))


@api.endpoint(
    "POST",
    "/reports/{id}/dismiss",
    summary="Dismiss a report",
    scope="moderate",
    tag="reports",
    path_model=IdPath,
    body=Closing,
    response=ReportOut,
)
async def reports_dismiss(call: Call, path: IdPath, body: Closing) -> ReportOut:
    """Closed: the report was unfounded. The reason goes to the modlog."""
    return report_out(await reports.dismiss_report(call.ctx, call.staff, path.id, reason=body.reason))


@api.endpoint(
    "POST",
    "/reports/{id}/forward",
    summary="Forward a report",
    scope="moderate",
    tag="reports",
    path_model=IdPath,
    body=Forwarding,
    response=Forwarded,
)
async def reports_forward(call: Call, path: IdPath, body: Forwarding) -> Forwarded:
    """To the community's moderators on other servers (and the author's server when asked), signed by
    the instance actor, without the reporter."""
    return Forwarded(
        servers=await reports.forward_report(call.ctx, call.staff, path.id, to_author=body.to_author)
    )
