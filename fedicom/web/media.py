"""Uploaded media (community icons and banners, logos, staff pictures) served from the media store:
read and answered here, or, when the object store is public (FEDICOM_S3_PUBLIC_URL), a redirect to it.

Names are content hashes, so a file never changes and is cached for good. The type is the one the file
was re-encoded as (never guessed by the browser: nosniff), and a file opened on its own runs nothing.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fedicom.errors import NotFound
from fedicom.groups.images import FILENAME_RE
from fedicom.media.store import media_name, read_media
from fedicom.web.appstate import app_state

HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


async def media(request: Request) -> Response:
    files = app_state(request).files
    name = request.path_params["file"]
    public = files.public_url(media_name(name)) if FILENAME_RE.match(name) else None
    if public is not None:
        # not permanent: the operator may move the bucket; a day of caching spares most requests
        return RedirectResponse(public, status_code=302, headers={"Cache-Control": "public, max-age=86400"})
    found = await read_media(files, name)
    if found is None:
        raise NotFound("there is no such file")
    data, content_type = found
    return Response(data, media_type=content_type, headers=HEADERS)


routes = [Route("/media/{file}", media, methods=["GET", "HEAD"])]
