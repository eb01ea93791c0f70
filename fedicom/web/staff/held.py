"""Staff pages: a community's posts held for review, approved (announced unchanged to the members) or
rejected (never sent anywhere) through the same services as `fedicom held` and the admin API."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.errors import BadRequest, NotFound
from fedicom.groups.authors import describe
from fedicom.groups.models import Group, Post
from fedicom.moderation.acting import Acting
from fedicom.moderation.content import get_post
from fedicom.moderation.held import approve_post, held_count, list_held, reject_post
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.layout import MAX_ID, attempt, staff_form, staff_page

SHOWN = 100  # the oldest held posts listed; the rest appear as these are answered
MAX_REASON = 2000
REJECT_FORM = 32 * 1024  # the longest reason, every character percent-encoded
# The service wants a reason for the modlog; a moderator who gives none is recorded as saying this.
NO_REASON = "not approved on review"


def held_url(group: Group) -> str:
    return f"/staff/c/{group.name}/held"


async def held_post(group: Group, number: int) -> Post:
    """The post numbered `number` in the community, in whatever state it is now."""
    if number > MAX_ID:
        raise NotFound(f"there is no post {number} in {group.name}")
    return await get_post(str(number), group.name)


def reject_reason(value: object) -> str:
    reason = str(value or "").strip()
    if len(reason) > MAX_REASON or "\x00" in reason:
        raise BadRequest(f"the reason must be at most {MAX_REASON} characters of text")
    return reason or NO_REASON


@staff_only
async def held_page(request: Request, acting: Acting) -> Response:
    group = await acting.community(request.path_params["name"])
    posts = await list_held(group, limit=SHOWN)
    context = {
        "section": "communities",
        "group": group,
        "tab": "held",
        "posts": posts,
        "total": await held_count(group),
        "authors": await describe([p.author for p in posts], acting.ctx.site),
        "max_reason": MAX_REASON,
    }
    return staff_page(request, "staff/held.html", context)


@staff_only
async def approve(request: Request, acting: Acting) -> Response:
    await staff_form(request)
    group = await acting.community(request.path_params["name"])
    number: int = request.path_params["id"]

    async def act() -> None:
        await approve_post(acting.ctx, await held_post(group, number), acting.actor)

    success = f"post {number} is approved: it is shown and announced to the members"
    return await attempt(request, held_url(group), act(), success)


@staff_only
async def reject(request: Request, acting: Acting) -> Response:
    form = await staff_form(request, limit=REJECT_FORM)
    group = await acting.community(request.path_params["name"])
    number: int = request.path_params["id"]

    async def act() -> None:
        reason = reject_reason(form.get("reason"))
        await reject_post(acting.ctx, await held_post(group, number), acting.actor, reason=reason)

    success = f"post {number} is rejected: it stays hidden and was never sent to anyone"
    return await attempt(request, held_url(group), act(), success)


routes = [
    Route("/staff/c/{name}/held", held_page),
    Route("/staff/c/{name}/held/{id:int}/approve", approve, methods=["POST"]),
    Route("/staff/c/{name}/held/{id:int}/reject", reject, methods=["POST"]),
]
