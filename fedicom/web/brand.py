"""The brand's look on the web: read fresh before each request, and its files served from this origin
(the strict Content-Security-Policy allows styles from nowhere else): the theme's colours, the operator's
stylesheet, a community's accent colour and the favicon.

Stylesheets are linked with their content hash (`?v=`): a matching one is cached for good; an older or
unknown `v` gets the current text, never cached, so a page a worker rendered a moment ago still works.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from fedicom.branding.look import LookCache
from fedicom.branding.theme import accent_css, version
from fedicom.errors import NotFound
from fedicom.media.store import read_media
from fedicom.web.appstate import app_state
from fedicom.web.media import HEADERS as MEDIA_HEADERS

CSS = "text/css; charset=utf-8"
FOREVER = "public, max-age=31536000, immutable"
_ACCENT_RE = re.compile(r"^[0-9a-f]{6}$")


class FreshLook:
    """ASGI middleware: the look this process shows is re-read when stale, before the request runs
    (pages read it without a query; see branding/look.py)."""

    def __init__(self, app: ASGIApp, *, cache: LookCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.cache.fresh()
        await self.app(scope, receive, send)


def _cache(request: Request) -> LookCache:
    return app_state(request).look


def _versioned(request: Request, text: str) -> Response:
    """A stylesheet: for good under its current version, otherwise fresh on every request."""
    if not text:
        raise NotFound("no such stylesheet is set")
    current = request.query_params.get("v") == version(text)
    return Response(text, media_type=CSS, headers={"Cache-Control": FOREVER if current else "no-cache"})


async def theme(request: Request) -> Response:
    """The site's accent colours as the custom properties fedicom.css uses."""
    return _versioned(request, _cache(request).current.theme_css)


async def stylesheet(request: Request) -> Response:
    """The operator's own stylesheet, as uploaded."""
    return _versioned(request, _cache(request).current.stylesheet)


async def community_accent(request: Request) -> Response:
    """A community's accent colour (its dark-mode shade derived): named by the colour, never changes."""
    colour = request.path_params["colour"]
    if not _ACCENT_RE.match(colour):
        raise NotFound("an accent stylesheet is named by a colour: six lower-case hexadecimal digits")
    return Response(accent_css(f"#{colour}", None), media_type=CSS, headers={"Cache-Control": FOREVER})


async def favicon(request: Request) -> Response:
    """/favicon.ico, where browsers and feed readers look first: the favicon set, stored as PNG."""
    name = _cache(request).current.favicon
    found = await read_media(app_state(request).files, name) if name else None
    if found is None:
        raise NotFound("this site has no favicon")
    data, content_type = found
    headers = {**MEDIA_HEADERS, "Cache-Control": "public, max-age=86400"}  # the name stays when it changes
    return Response(data, media_type=content_type, headers=headers)


routes = [
    Route("/site/theme.css", theme, methods=["GET", "HEAD"]),
    Route("/site/style.css", stylesheet, methods=["GET", "HEAD"]),
    Route("/site/accent/{colour}.css", community_accent, methods=["GET", "HEAD"]),
    Route("/favicon.ico", favicon, methods=["GET", "HEAD"]),
]
