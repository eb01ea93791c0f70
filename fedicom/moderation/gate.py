"""Who may take part in a community at all: bans and per-community domain blocks, checked first.

Posts, votes and follows ask here before anything else, so a banned actor's activity is neither
stored nor announced (Lemmy's model of `Block` with `target`).
"""

from __future__ import annotations

from fedicom.activitypub.vocab import host_of
from fedicom.groups.hooks import ServerPolicy
from fedicom.groups.models import Group
from fedicom.groups.reasons import Reason, Refused
from fedicom.moderation.banlist import BanList


async def barrier(defed: ServerPolicy, bans: BanList, group: Group, actor: str) -> Refused | None:
    """Why `actor` may not take part in `group` (banned, or its server suspended there), if so."""
    ban = await bans.active(group.id, actor)
    if ban is not None:
        where = "this instance" if ban.community_id is None else group.name
        return Refused(Reason.BANNED, f"{actor} is banned from {where}")
    if await defed.severity(host_of(actor), group.id) == "suspend":
        return Refused(Reason.BLOCKED_SERVER, f"{host_of(actor)} is blocked by {group.name}")
    return None
