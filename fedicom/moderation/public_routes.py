"""Routes of the public list of blocked servers: a page and Mastodon's JSON endpoint."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fedicom.moderation.public_list import public_blocks


async def blocked_page(request: Request) -> Response:
    page: Response = request.app.state.templates.TemplateResponse(
        request, "blocked.html", {"blocks": await public_blocks()}
    )
    return page


async def domain_blocks_json(_request: Request) -> Response:
    return JSONResponse([b.mastodon() for b in await public_blocks()])


routes = [
    Route("/about/blocked", blocked_page),
    Route("/api/v1/instance/domain_blocks", domain_blocks_json),
]
