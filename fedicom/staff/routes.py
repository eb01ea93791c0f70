"""Routes of staff members' Person actors: the actor, its inbox, and its outbox of what they published."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.activitypub.models import OutgoingActivity
from fedicom.activitypub.routes import fed_of, receive
from fedicom.groups.actor import build_outbox, build_outbox_page
from fedicom.groups.routes import OUTBOX_MAX_PAGE, PAGE_SIZE, community_hosting, site_of
from fedicom.http import ActivityResponse, page_number
from fedicom.staff.accounts import get_staff
from fedicom.staff.person import build_person


async def person(request: Request) -> Response:
    fed = fed_of(request)
    await fed.check_fetch(request.headers)
    staff = await get_staff(request.path_params["name"])
    site = community_hosting(request).site
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
    return await receive(request, recipient=site_of(request).staff_uri(staff.username))


async def person_outbox(request: Request) -> Response:
    """What the staff member published in public communities (their Creates), newest first."""
    staff = await get_staff(request.path_params["name"])
    actor = site_of(request).staff_uri(staff.username)
    uri = f"{actor}/outbox"
    query = OutgoingActivity.filter(actor=actor, type="Create", public=True)
    total = await query.count()
    page = page_number(request, OUTBOX_MAX_PAGE)
    rows = (
        await query.order_by("-id")
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .values_list("payload", flat=True)
    )
    items = [json.loads(p) for p in rows]  # type: ignore[arg-type]
    if "page" not in request.query_params:
        return ActivityResponse(build_outbox(uri, items, total, PAGE_SIZE))
    return ActivityResponse(build_outbox_page(uri, page, items, total, PAGE_SIZE))


routes = [
    Route("/u/{name}", person),
    Route("/u/{name}/inbox", person_inbox, methods=["POST"]),
    Route("/u/{name}/outbox", person_outbox),
]
