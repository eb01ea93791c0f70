"""Which servers fedicom federates with: instance-wide domain blocks, cached for a moment.

The federation layer asks through hooks (inbound requests, signed fetches, deliveries); a suspended
server (or any subdomain of it) gets none of them.
"""

from __future__ import annotations

import time

from fedicom.moderation.domains import covering, rank
from fedicom.moderation.models import DomainBlock


class Defederation:
    def __init__(self, ttl: float = 2.0) -> None:
        self.ttl = ttl
        self._loaded = -ttl
        self._blocks: dict[int | None, dict[str, str]] = {}

    async def _all(self) -> dict[int | None, dict[str, str]]:
        """Blocks by community id (None: instance-wide), each domain → severity."""
        now = time.monotonic()
        if now - self._loaded >= self.ttl:
            scoped: dict[int | None, dict[str, str]] = {None: {}}
            rows = await DomainBlock.all().values_list("community_id", "domain", "severity")
            for community_id, domain, severity in rows:
                scoped.setdefault(community_id, {})[domain] = severity  # type: ignore[index]
            self._blocks = scoped
            self._loaded = now
        return self._blocks

    async def blocks(self) -> dict[str, str]:
        """Instance-wide blocks: domain → severity."""
        return (await self._all())[None]

    def forget(self) -> None:
        self._loaded = -self.ttl

    async def severity(self, host: str, community_id: int | None = None) -> str | None:
        """The strongest block covering host, instance-wide or (when given) in that community."""
        scoped = await self._all()
        found = None
        for blocks in (scoped[None], scoped.get(community_id, {}) if community_id is not None else {}):
            domain = covering(host, blocks)
            if domain and (found is None or rank(blocks[domain]) > rank(found)):
                found = blocks[domain]
        return found

    async def allows(self, host: str) -> bool:
        """False for a suspended server: nothing federates with it in either direction."""
        return await self.severity(host) != "suspend"
