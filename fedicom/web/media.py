"""Uploaded media (community icons and banners) served from DATA_DIR/media.

Names are content hashes, so a file never changes and is cached for good. The type is the one the file
was re-encoded as (never guessed by the browser: nosniff), and a file opened on its own runs nothing.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from fedicom.errors import NotFound
from fedicom.groups.images import media_dir, stored

HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


async def media(request: Request) -> Response:
    found = stored(media_dir(request.app.state.settings.data_dir), request.path_params["file"])
    if found is None:
        raise NotFound("there is no such file")
    path, content_type = found
    return FileResponse(path, media_type=content_type, headers=HEADERS)


routes = [Route("/media/{file}", media, methods=["GET", "HEAD"])]
