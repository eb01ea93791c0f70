"""The bans in force, cached: every inbound post, vote and follow asks, so asking must cost no query.

Like the domain blocks (`defederation.Defederation`), the list is read again once older than `ttl`
(`fedicom.storage.reloading`) and forgotten at once when this process applies or lifts a ban; a ban changed
by another process (a second `serve` or a `worker`) counts here within about `ttl` (and one read).
Expiry is checked at each question, so a ban ends at its minute, not at the next reload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fedicom.moderation.models import Ban
from fedicom.storage.reloading import Reloaded


@dataclass(frozen=True)
class InForce:
    """What a community needs of a ban to refuse: where it holds, and until when."""

    community_id: int | None  # None: the whole instance
    expires_at: datetime | None


async def _read_bans() -> dict[str, list[InForce]]:
    by_actor: dict[str, list[InForce]] = {}
    for actor, community_id, expires_at in await Ban.all().values_list("actor", "community_id", "expires_at"):
        by_actor.setdefault(str(actor), []).append(InForce(community_id, expires_at))
    return by_actor


class BanList:
    def __init__(self, ttl: float = 2.0) -> None:
        self._bans: Reloaded[dict[str, list[InForce]]] = Reloaded(_read_bans, ttl)

    async def active(self, community_id: int | None, actor: str) -> InForce | None:
        """The ban in force on `actor` instance-wide or (when given) in that community, if any;
        an instance-wide one first, as it is the one to name."""
        now = datetime.now(UTC)
        live = [
            ban
            for ban in (await self._bans.get()).get(actor, ())
            if ban.community_id in (None, community_id) and (ban.expires_at is None or ban.expires_at > now)
        ]
        return min(live, key=lambda b: b.community_id is not None, default=None)

    def forget(self) -> None:
        self._bans.forget()
