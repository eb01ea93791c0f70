"""Staff page of a community's reputation, `/staff/communities/NAME/reputation`: members by points with
their badges, those left out at their request marked, and the form that leaves a member out or shows
them again (the same services as `fedicom reputation` and the admin API)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.moderation.acting import Acting
from fedicom.recognition import leaving
from fedicom.recognition.rules import LABELS
from fedicom.recognition.standing import leaderboard
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.layout import attempt, form_text, staff_form, staff_page

SHOWN = 200


@staff_only
async def reputation_page(request: Request, acting: Acting) -> Response:
    group = await acting.community(request.path_params["name"])
    context = {
        "section": "communities",
        "group": group,
        "tab": "reputation",
        "board": await leaderboard(group, SHOWN, public=False),
        "left_out": await leaving.listing(group),
        "labels": LABELS,
    }
    return staff_page(request, "staff/reputation.html", context)


@staff_only
async def left_out_action(request: Request, acting: Acting) -> Response:
    """Leave a member out at their request, or include them again."""
    form = await staff_form(request)
    group = await acting.community(request.path_params["name"])
    actor = form_text(form, "actor", 1024, label="member's address").strip()
    back = f"/staff/communities/{group.name}/reputation"
    if form.get("action") == "include":
        success = f"{actor} is shown in the recognition of {group.title} again"
        return await attempt(request, back, leaving.include(group, actor), success)
    success = f"{actor} is left out of the recognition of {group.title}"
    return await attempt(request, back, leaving.leave_out(group, actor, by=acting.actor), success)


routes = [
    Route("/staff/communities/{name}/reputation", reputation_page),
    Route("/staff/communities/{name}/reputation/left-out", left_out_action, methods=["POST"]),
]
