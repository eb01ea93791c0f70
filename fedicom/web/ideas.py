"""The public roadmap of an idea board, `/c/NAME/roadmap`: its planned, started and completed ideas in
three columns. Not for a private board's visitors, as its other pages."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.errors import Forbidden
from fedicom.groups.authors import describe
from fedicom.ideas.board import roadmap
from fedicom.ideas.lifecycle import LABELS, ROADMAP, check_board
from fedicom.web.appstate import app_state
from fedicom.web.community import community_context
from fedicom.web.templating import render


async def roadmap_page(request: Request) -> Response:
    group = await app_state(request).groups.group(request.path_params["name"])
    check_board(group)
    if group.private:
        raise Forbidden(f"the roadmap of {group.name}, a private community, is shown to its members only")
    columns = await roadmap(group)
    context = await community_context(request, group)
    context.update(
        columns=[(status.value, LABELS[status], columns[status]) for status in ROADMAP],
        authors=await describe([p.author for s in ROADMAP for p in columns[s]], app_state(request).site),
    )
    return render(request, "roadmap.html", context)


routes = [Route("/c/{name}/roadmap", roadmap_page)]
