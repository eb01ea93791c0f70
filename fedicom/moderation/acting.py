"""A staff member acting, with what every action needs: the admin API and the staff pages share it."""

from __future__ import annotations

from dataclasses import dataclass

from fedicom.errors import Forbidden
from fedicom.groups.communities import get_community
from fedicom.groups.context import Groups
from fedicom.groups.models import Group
from fedicom.media.store import FileStore
from fedicom.moderation.authority import is_moderator
from fedicom.moderation.defederation import Defederation
from fedicom.settings import Settings
from fedicom.staff.models import Staff


@dataclass
class Acting:
    staff: Staff
    ctx: Groups
    defed: Defederation
    settings: Settings
    files: FileStore  # where uploads go (media/store.py)

    @property
    def actor(self) -> str:
        """The staff member's Person actor, as recorded in the modlog and federated."""
        return self.ctx.site.staff_uri(self.staff.username)

    def require_admin(self) -> None:
        if not self.staff.is_admin:
            raise Forbidden(f"{self.staff.username} is not an instance admin")

    async def may_moderate(self, group: Group) -> bool:
        return await is_moderator(self.ctx.site, group, self.actor)

    async def community(self, name: str) -> Group:
        """The community named, if the staff member moderates it (admins moderate every community)."""
        group = await get_community(name)
        if not await is_moderator(self.ctx.site, group, self.actor):
            raise Forbidden(f"{self.staff.username} does not moderate {group.name}")
        return group
