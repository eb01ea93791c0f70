"""The staff home page: the communities a staff member moderates and what waits for them in each."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.groups.communities import list_communities, member_count
from fedicom.groups.models import Group, Membership, Post
from fedicom.moderation.acting import Acting
from fedicom.moderation.authority import is_moderator
from fedicom.moderation.models import Report
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


async def moderated(acting: Acting) -> list[Group]:
    """The communities this staff member moderates (every one, for admins)."""
    return [g for g in await list_communities() if await is_moderator(acting.ctx.site, g, acting.actor)]


async def waiting(group: Group) -> Waiting:
    return Waiting(
        group=group,
        members=await member_count(group),
        requests=await Membership.filter(group_id=group.id, state="pending").count(),
        held=await Post.filter(group_id=group.id, state="held", deleted=False).count(),
        reports=await Report.filter(community_id=group.id, state="open").count(),
    )


@staff_only
async def dashboard(request: Request, acting: Acting) -> Response:
    rows = [await waiting(g) for g in await moderated(acting)]
    instance_reports = (
        await Report.filter(community_id=None, state="open").count() if acting.staff.is_admin else 0
    )
    return staff_page(
        request,
        "staff/dashboard.html",
        {"rows": rows, "instance_reports": instance_reports, "section": "home"},
    )


routes = [Route("/staff", dashboard)]
