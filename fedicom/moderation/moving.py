"""Who may move a community to another server: its owners and instance admins (groups/moving.py does
the move itself)."""

from __future__ import annotations

from fedicom.errors import Forbidden
from fedicom.groups.context import Groups
from fedicom.groups.models import Group
from fedicom.groups.moving import move_community
from fedicom.moderation.moderators import may_manage
from fedicom.staff.models import Staff


async def move_as_staff(ctx: Groups, group: Group, staff: Staff, target: str) -> Group:
    """Move `group` to `target` when `staff` owns it or is an admin."""
    if not await may_manage(ctx, group, ctx.site.staff_uri(staff.username)):
        raise Forbidden(f"only an owner of {group.name} or an admin may move it")
    return await move_community(ctx, group, target)
