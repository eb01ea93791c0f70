"""Staff page: a community's invite links (create with uses and lifetime, list with what is left,
revoke), its public invite page, and the code that embeds its widget on the brand's site.

`/staff/c/NAME/invites`; the same as `fedicom invite` and the admin API's `/invites`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.errors import BadRequest, NotFound
from fedicom.invites.links import (
    MAX_USES,
    create_invite,
    find_invite,
    invites_of,
    parse_duration,
    revoke_invite,
)
from fedicom.invites.links import shown as shown_invite
from fedicom.moderation.acting import Acting
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.layout import attempt, done, form_text, staff_form, staff_page

PAGE = "/staff/c/{name}/invites"


@staff_only
async def invites_page(request: Request, acting: Acting) -> Response:
    group = await acting.community(request.path_params["name"])
    base = acting.settings.base_url
    context = {
        "section": "communities",
        "group": group,
        "tab": "invites",
        "invites": [shown_invite(base, g, i) for g, i in await invites_of([group])],
        "page_url": f"{base}/c/{group.name}/invite",
        "widget_url": f"{base}/c/{group.name}/widget",
        "max_uses": MAX_USES,
    }
    return staff_page(request, "staff/invites.html", context)


def _uses(raw: str) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit():
        raise BadRequest(f"the number of uses is a whole number from 1 to {MAX_USES}, or empty for any")
    return int(text)


@staff_only
async def invites_create(request: Request, acting: Acting) -> Response:
    group = await acting.community(request.path_params["name"])
    form = await staff_form(request)
    url = PAGE.format(name=group.name)
    try:
        uses = _uses(form_text(form, "uses", 10, label="number of uses"))
        expires = form_text(form, "expires", 20, label="lifetime").strip()
        lifetime = parse_duration(expires) if expires else None
        made = await create_invite(group, acting.actor, uses=uses, lifetime=lifetime)
    except BadRequest as exc:
        return done(request, url, exc.reason, kind="error")
    link = shown_invite(acting.settings.base_url, group, made).url
    return done(request, url, f"Invite link created: {link}")


@staff_only
async def invites_revoke(request: Request, acting: Acting) -> Response:
    group = await acting.community(request.path_params["name"])
    form = await staff_form(request)
    url = PAGE.format(name=group.name)
    code = form_text(form, "code", 64)
    try:
        owner, invite = await find_invite(code)
    except NotFound as exc:
        return done(request, url, exc.reason, kind="error")
    if owner.id != group.id:
        return done(request, url, f"that invite link is not one of {group.name}'s", kind="error")
    return await attempt(request, url, revoke_invite(invite), f"The invite link {code} is revoked.")


routes = [
    Route(PAGE, invites_page, methods=["GET"]),
    Route(PAGE, invites_create, methods=["POST"]),
    Route(PAGE + "/revoke", invites_revoke, methods=["POST"]),
]
