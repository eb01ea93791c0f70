"""Staff page of a questions community's unanswered questions, `/staff/communities/NAME/questions`:
oldest first, with their age and replies (the same list as `fedicom answer unanswered` and the admin
API); each links to its staff page, where a reply is accepted as the answer."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.answers.listing import Status, listed
from fedicom.moderation.acting import Acting
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.layout import staff_page

SHOWN = 200


@staff_only
async def questions_page(request: Request, acting: Acting) -> Response:
    group = await acting.community(request.path_params["name"])
    context = {
        "section": "communities",
        "group": group,
        "tab": "questions",
        "waiting": await listed(group, Status.UNANSWERED, SHOWN),
    }
    return staff_page(request, "staff/questions.html", context)


routes = [Route("/staff/communities/{name}/questions", questions_page)]
