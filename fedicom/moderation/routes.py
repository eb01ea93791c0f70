"""Routes of moderation: staff members' Person actors (with their inboxes and outboxes)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.activitypub.jsonld import AS_CONTEXT
from fedicom.activitypub.routes import fed_of, receive
from fedicom.groups.communities import Site
from fedicom.http import ActivityResponse
from fedicom.moderation.people import build_person
from fedicom.moderation.staff import get_staff


async def person(request: Request) -> Response:
    fed = fed_of(request)
    await fed.check_fetch(request.headers)
    staff = await get_staff(request.path_params["name"])
    site: Site = request.app.state.site
    uri = site.staff_uri(staff.username)
    doc = build_person(
        base_url=site.base_url,
        uri=uri,
        username=staff.username,
        display_name=staff.display_name,
        public_key_pem=await fed.keys.public_pem(uri),
        published=staff.created_at,
    )
    return ActivityResponse(doc)


async def person_inbox(request: Request) -> Response:
    staff = await get_staff(request.path_params["name"])
    return await receive(request, recipient=request.app.state.site.staff_uri(staff.username))


async def person_outbox(request: Request) -> Response:
    staff = await get_staff(request.path_params["name"])
    uri = f"{request.app.state.site.staff_uri(staff.username)}/outbox"
    return ActivityResponse(
        {"@context": AS_CONTEXT, "id": uri, "type": "OrderedCollection", "totalItems": 0, "orderedItems": []}
    )


routes = [
    Route("/u/{name}", person),
    Route("/u/{name}/inbox", person_inbox, methods=["POST"]),
    Route("/u/{name}/outbox", person_outbox),
]
