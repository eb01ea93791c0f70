"""The staff home page: the communities a staff member moderates and what waits for them in each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.functions import Count
from tortoise.models import Model

from fedicom.groups.communities import list_communities
from fedicom.groups.models import Group, Membership, MembershipState, Post, PostState
from fedicom.moderation.acting import Acting
from fedicom.moderation.authority import is_moderator
from fedicom.moderation.models import Report, ReportState
from fedicom.refusals.listing import recent_counts
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.layout import staff_page


@dataclass
class Waiting:
    """One community's row on the dashboard."""

    group: Group
    members: int
    requests: int
    held: int
    reports: int
    refused_day: int = 0  # refused or held inbound posts in the last 24 hours
    refused_week: int = 0  # and in the last 7 days


async def moderated(acting: Acting) -> list[Group]:
    """The communities this staff member moderates (every one, for admins)."""
    return [g for g in await list_communities() if await is_moderator(acting.ctx.site, g, acting.actor)]


async def _counts(model: type[Model], groups: list[Group], field: str, **where: object) -> dict[int, int]:
    """Rows of `model` per community, in one grouped query."""
    rows = (
        await model.filter(**{f"{field}__in": [g.id for g in groups]}, **where)
        .annotate(n=Count("id"))
        .group_by(field)
        .values(field, "n")
    )
    return {row[field]: row["n"] for row in rows}


async def waiting(groups: list[Group]) -> list[Waiting]:
    """Each community's row, in six queries whatever the number of communities."""
    if not groups:
        return []
    members = await _counts(Membership, groups, "group_id", state=MembershipState.ACCEPTED)
    requests = await _counts(Membership, groups, "group_id", state=MembershipState.PENDING)
    held = await _counts(Post, groups, "group_id", state=PostState.HELD, deleted=False)
    reports = await _counts(Report, groups, "community_id", state=ReportState.OPEN)
    now = datetime.now(UTC)
    day = await recent_counts(groups, now - timedelta(hours=24))
    week = await recent_counts(groups, now - timedelta(days=7))
    return [
        Waiting(
            g,
            members.get(g.id, 0),
            requests.get(g.id, 0),
            held.get(g.id, 0),
            reports.get(g.id, 0),
            day.get(g.id, 0),
            week.get(g.id, 0),
        )
        for g in groups
    ]


@staff_only
async def dashboard(request: Request, acting: Acting) -> Response:
    rows = await waiting(await moderated(acting))
    instance_reports = (
        await Report.filter(community_id=None, state=ReportState.OPEN).count() if acting.staff.is_admin else 0
    )
    return staff_page(
        request,
        "staff/dashboard.html",
        {"rows": rows, "instance_reports": instance_reports, "section": "home"},
    )


routes = [Route("/staff", dashboard)]
