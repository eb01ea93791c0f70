"""Who may moderate what: community moderators (local staff or remote actors) and instance admins."""

from __future__ import annotations

from fedicom.errors import Forbidden
from fedicom.groups.communities import Site
from fedicom.groups.models import Group, Moderator
from fedicom.staff.models import Staff


async def is_admin(site: Site, actor: str) -> bool:
    """A local staff account with the admin role (admins moderate every community)."""
    username = site.staff_from_uri(actor)
    return bool(username) and await Staff.exists(username=username, is_admin=True, disabled=False)


async def is_moderator(site: Site, group: Group, actor: str) -> bool:
    if await Moderator.exists(group_id=group.id, actor=actor):
        username = site.staff_from_uri(actor)
        # a disabled staff account keeps its rows but loses its powers
        return not username or await Staff.exists(username=username, disabled=False)
    return await is_admin(site, actor)


async def require_moderator(site: Site, group: Group, actor: str) -> None:
    if not await is_moderator(site, group, actor):
        raise Forbidden(f"{actor} does not moderate {group.name}")


async def require_admin(site: Site, actor: str) -> None:
    if not await is_admin(site, actor):
        raise Forbidden(f"{actor} is not an instance admin")
