"""Members' pictures (`/media/p/POST/MAC/VARIANT`) and avatars (`/media/a/MAC/ACTOR`) served from this
server, through the media proxy.

Answers are re-encoded pictures of a fixed type (nosniff), that run nothing when opened on their own
(sandbox). Browsers may keep them a month; shared caches may not (`private`), so a moderator's
removal or a new reject_media block takes effect for every visitor who has not yet seen the picture.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.errors import NotFound
from fedicom.media.links import Variant, actor_of
from fedicom.media.proxy import NO_SUCH_PICTURE
from fedicom.web.appstate import app_state

HEADERS = {
    "Cache-Control": "private, max-age=2592000, immutable",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
}
POST_ID = re.compile(r"[0-9]{1,18}")


async def post_picture(request: Request) -> Response:
    raw_id, variant = request.path_params["post_id"], request.path_params["variant"]
    if not POST_ID.fullmatch(raw_id) or variant not in Variant.__members__.values():
        raise NotFound(NO_SUCH_PICTURE)
    proxy = app_state(request).media_proxy
    found = await proxy.post_picture(int(raw_id), request.path_params["mac"], Variant(variant))
    return Response(found.data, media_type=found.content_type, headers=HEADERS)


async def avatar(request: Request) -> Response:
    actor = actor_of(request.path_params["actor"])
    if actor is None:
        raise NotFound(NO_SUCH_PICTURE)
    proxy = app_state(request).media_proxy
    found = await proxy.avatar(actor, request.path_params["mac"])
    return Response(found.data, media_type=found.content_type, headers=HEADERS)


routes = [
    Route("/media/p/{post_id}/{mac}/{variant}", post_picture, methods=["GET", "HEAD"]),
    Route("/media/a/{mac}/{actor}", avatar, methods=["GET", "HEAD"]),
]
