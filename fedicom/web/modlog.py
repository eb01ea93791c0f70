"""The public modlog: `/modlog` (the whole instance) and `/c/NAME/modlog`, as a page or JSON.

JSON when asked with `?format=json` or an Accept header preferring JSON; pages are `?page=N`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fedicom.errors import BadRequest
from fedicom.http import page_number, wants_activity_json
from fedicom.moderation.modlog_public import ModlogPage, public_page
from fedicom.web.appstate import app_state


def _wants_json(request: Request) -> bool:
    fmt = request.query_params.get("format")
    if fmt not in (None, "json", "html"):
        raise BadRequest("format must be json or html")
    return fmt == "json" if fmt else wants_activity_json(request)


async def instance_modlog(request: Request) -> Response:
    return await _answer(request, None)


async def community_modlog(request: Request) -> Response:
    group = await app_state(request).groups.group(request.path_params["name"])
    return await _answer(request, group.name)


async def _answer(request: Request, community: str | None) -> Response:
    number, as_json = page_number(request, 100_000), _wants_json(request)
    state = app_state(request)
    hide = state.settings.modlog_hide_moderators
    page = await public_page(state.site, community, number, hide_moderators=hide)
    path = f"/c/{community}/modlog" if community else "/modlog"
    response: Response
    if as_json:
        response = JSONResponse(_json(request, page, path))
    else:
        response = state.templates.TemplateResponse(
            request,
            "modlog.html",
            {"page": page, "path": path, "hidden": hide},
        )
    response.headers["Vary"] = "Accept"
    return response


def _json(request: Request, page: ModlogPage, path: str) -> dict[str, Any]:
    base = app_state(request).site.base_url + path
    return {
        "community": page.community,
        "page": page.number,
        "items": page.items,
        "prev": f"{base}?format=json&page={page.number - 1}" if page.number > 1 else None,
        "next": f"{base}?format=json&page={page.number + 1}" if page.has_next else None,
    }


routes = [
    Route("/modlog", instance_modlog),
    Route("/c/{name}/modlog", community_modlog),
]
