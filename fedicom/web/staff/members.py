"""Staff pages: a community's join requests, answered with Accept or Reject{Follow} as the CLI does,
and who its members are."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.errors import BadRequest
from fedicom.groups import membership
from fedicom.groups.authors import Author, describe
from fedicom.groups.communities import member_count
from fedicom.groups.models import Group
from fedicom.http import page_number
from fedicom.moderation.acting import Acting
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.layout import attempt, staff_form, staff_page

PER_PAGE = 100  # members listed per page
REQUESTS_SHOWN = 200  # the oldest requests listed; the rest wait their turn
MAX_ACTOR = 1024


def members_url(group: Group) -> str:
    return f"/staff/c/{group.name}/members"


def label(author: Author) -> str:
    """How a person is named in a notice or a button: the handle when their server gave one."""
    return author.handle or author.uri


@staff_only
async def members_page(request: Request, acting: Acting) -> Response:
    group = await acting.community(request.path_params["name"])
    number = page_number(request)
    requests = await membership.pending_requests(group, limit=REQUESTS_SHOWN)
    members = await membership.recent_members(group, offset=(number - 1) * PER_PAGE, limit=PER_PAGE + 1)
    people = await describe([m.actor for m in requests + members], acting.ctx.site)
    context = {
        "section": "communities",
        "group": group,
        "tab": "members",
        "requests": requests,
        "waiting": await membership.pending_count(group),
        "members": members[:PER_PAGE],
        "member_total": await member_count(group),
        "page": number,
        "has_next": len(members) > PER_PAGE,
        "people": people,
        "labels": {uri: label(a) for uri, a in people.items()},
    }
    return staff_page(request, "staff/members.html", context)


async def _answer(request: Request, acting: Acting, *, approve: bool) -> Response:
    form = await staff_form(request)
    group = await acting.community(request.path_params["name"])
    actor = str(form.get("actor", "")).strip()
    if not actor or len(actor) > MAX_ACTOR:
        raise BadRequest("the form does not say whose request to answer")
    who = label((await describe([actor], acting.ctx.site))[actor])

    async def answer() -> None:
        await membership.pending_request(group, actor)
        if approve:
            await membership.approve(acting.ctx, group, actor)
        else:
            await membership.reject(acting.ctx, group, actor)

    if approve:
        success = (
            f"approved {who}: they are a member of {group.title} now, and their server is sent the Accept"
        )
    else:
        success = f"rejected the request of {who} to join {group.title}: their server is sent the Reject"
    return await attempt(request, members_url(group), answer(), success)


@staff_only
async def approve_request(request: Request, acting: Acting) -> Response:
    return await _answer(request, acting, approve=True)


@staff_only
async def reject_request(request: Request, acting: Acting) -> Response:
    return await _answer(request, acting, approve=False)


routes = [
    Route("/staff/c/{name}/members", members_page),
    Route("/staff/c/{name}/members/approve", approve_request, methods=["POST"]),
    Route("/staff/c/{name}/members/reject", reject_request, methods=["POST"]),
]
