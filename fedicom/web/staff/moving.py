"""The "Move this community" box of a community's settings page (docs/portability.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fedicom.errors import BadRequest, FedicomError
from fedicom.moderation.acting import Acting
from fedicom.moderation.moving import move_as_staff
from fedicom.web.staff import community_form as fields
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.communities import parent_name, settings_page, settings_url
from fedicom.web.staff.layout import done, staff_form


@staff_only
async def move_community(request: Request, acting: Acting) -> Response:
    """Move the community to the new home typed in, once the confirmation box is ticked."""
    group = await acting.community(request.path_params["name"])
    form = await staff_form(request)
    try:
        if form.get("confirm") != "yes":
            raise BadRequest("tick the box to confirm the move")
        moved = await move_as_staff(acting.ctx, group, acting.staff, str(form.get("to") or ""))
    except FedicomError as exc:
        values = fields.prefilled(group, await parent_name(group))
        return await settings_page(request, acting, group, values, move_error=exc.reason, status=exc.status)
    text = f"{group.name} has moved to {moved.moved_to}: its followers' servers are told."
    return done(request, settings_url(group) + "#move-heading", text)


routes: list[BaseRoute] = [Route("/staff/c/{name}/move", move_community, methods=["POST"])]
