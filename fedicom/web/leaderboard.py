"""The leaderboard of a community, `/c/NAME/leaderboard`: its members by points, with their badges and
the rules that earn them. Only where the community has it on, never for a private community."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.errors import NotFound
from fedicom.groups.authors import describe
from fedicom.recognition import rules
from fedicom.recognition.standing import leaderboard
from fedicom.web.appstate import app_state
from fedicom.web.community import community_context
from fedicom.web.templating import render

SHOWN = 100  # the first this many members


async def leaderboard_page(request: Request) -> Response:
    group = await app_state(request).groups.group(request.path_params["name"])
    if group.private:
        raise NotFound(f"{group.title} is private: its members are shown to no visitor")
    if not group.leaderboard:
        raise NotFound(f"{group.title} has no leaderboard")
    board = await leaderboard(group, SHOWN)
    context = await community_context(request, group)
    context.update(
        board=board,
        authors=await describe([s.actor for s in board], app_state(request).site),
        rules=rules.RULES,
        labels=rules.LABELS,
        earned_by=rules.EARNED_BY,
    )
    return render(request, "leaderboard.html", context)


routes = [Route("/c/{name}/leaderboard", leaderboard_page)]
