"""The Aliases box of a community's settings page: accounts it is also known as (docs/portability.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fedicom.errors import FedicomError
from fedicom.groups.aliases import add_alias, remove_alias
from fedicom.moderation.acting import Acting
from fedicom.moderation.community_updates import announce_update
from fedicom.web.staff import community_form as fields
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.communities import parent_name, settings_page, settings_url
from fedicom.web.staff.layout import done, staff_form


@staff_only
async def change_aliases(request: Request, acting: Acting) -> Response:
    """Add the account typed in, or remove the one whose button was pressed; members' servers get
    the new `alsoKnownAs` as an update of the community."""
    group = await acting.community(request.path_params["name"])
    form = await staff_form(request)
    removing = str(form.get("remove") or "")
    try:
        if removing:
            account = await remove_alias(acting.ctx, group, removing)
            text = f"{account} is no longer an alias of {group.name}."
        else:
            account = (await add_alias(acting.ctx, group, str(form.get("account") or ""))).actor
            text = f"{account} is now an alias of {group.name}: its server can move its followers here."
        await announce_update(acting.ctx, group, acting.staff)
    except FedicomError as exc:
        values = fields.prefilled(group, await parent_name(group))
        return await settings_page(request, acting, group, values, alias_error=exc.reason, status=exc.status)
    return done(request, settings_url(group) + "#aliases-heading", text)


routes: list[BaseRoute] = [Route("/staff/c/{name}/aliases", change_aliases, methods=["POST"])]
