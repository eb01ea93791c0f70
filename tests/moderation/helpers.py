"""Given steps of the moderation tests: staff accounts, moderators, a community with its rules."""

from __future__ import annotations

from typing import Any

from fedicom.groups.models import Group, Moderator
from fedicom.staff.accounts import create_staff
from fedicom.staff.models import Staff
from tests.support.servers import Instance

PASSWORD = "a long password"
RULES = "1. Be kind.\n2. Stay on topic."


async def admin(inst: Instance, name: str = "admin") -> str:
    """A new instance admin's Person actor URI: who blocks and allows servers."""
    await create_staff(name, PASSWORD, is_admin=True)
    return inst.site.staff_uri(name)


async def moderator(inst: Instance, community: str, name: str = "mod") -> Staff:
    """A new staff member who moderates `community`."""
    staff = await create_staff(name, PASSWORD)
    await Moderator.create(group=await inst.groups.group(community), actor=inst.site.staff_uri(name))
    return staff


async def community_with_moderator(inst: Instance, name: str = "news", **kw: Any) -> tuple[str, str]:
    """The community's URI and its moderator's (mia, local staff); `kw` are settings of the group."""
    await inst.community(name, rules=RULES)
    if kw:
        await Group.filter(name=name).update(**kw)
    await moderator(inst, name, "mia")
    return f"{inst.base}/c/{name}", inst.site.staff_uri("mia")
