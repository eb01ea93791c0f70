"""Who may take part in a community at all: bans and per-community domain blocks, checked first.

Posts, votes and follows ask here before anything else, so a banned actor's activity is neither
stored nor announced (Lemmy's model of `Block` with `target`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.expressions import Q

from fedicom.activitypub.vocab import host_of
from fedicom.groups.hooks import ServerPolicy
from fedicom.groups.models import Group
from fedicom.groups.reasons import Reason, Refused
from fedicom.moderation.models import Ban


async def active_ban(group: Group | None, actor: str) -> Ban | None:
    """The ban in force on `actor` in `group` (or instance-wide), if any; expired bans do not count."""
    scope = Q(community_id=None) | Q(community_id=group.id) if group else Q(community_id=None)
    live = Q(expires_at=None) | Q(expires_at__gt=datetime.now(UTC))
    return await Ban.filter(scope, live, actor=actor).first()


async def barrier(defed: ServerPolicy, group: Group, actor: str) -> Refused | None:
    """Why `actor` may not take part in `group` (banned, or its server suspended there), if so."""
    ban = await active_ban(group, actor)
    if ban is not None:
        where = "this instance" if ban.community_id is None else group.name  # type: ignore[attr-defined]
        return Refused(Reason.BANNED, f"{actor} is banned from {where}")
    if await defed.severity(host_of(actor), group.id) == "suspend":
        return Refused(Reason.BLOCKED_SERVER, f"{host_of(actor)} is blocked by {group.name}")
    return None


async def refusal(defed: ServerPolicy, group: Group, actor: str) -> str | None:
    found = await barrier(defed, group, actor)
    return found.reason if found else None


async def admit(defed: ServerPolicy, group: Group, actor: str) -> None:
    found = await barrier(defed, group, actor)
    if found:
        raise found
