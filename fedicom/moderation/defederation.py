"""Which servers fedicom federates with: instance-wide domain blocks, cached for a moment.

The federation layer asks through hooks (inbound requests, signed fetches, deliveries); a suspended
server (or any subdomain of it) gets none of them.
"""

from __future__ import annotations

import time

from fedicom.moderation.domains import covering
from fedicom.moderation.models import DomainBlock


class Defederation:
    def __init__(self, ttl: float = 2.0) -> None:
        self.ttl = ttl
        self._loaded = -ttl
        self._blocks: dict[str, str] = {}

    async def blocks(self) -> dict[str, str]:
        """Instance-wide blocks: domain → severity."""
        now = time.monotonic()
        if now - self._loaded >= self.ttl:
            rows = await DomainBlock.filter(community_id=None).values_list("domain", "severity")
            self._blocks = dict(rows)  # type: ignore[arg-type]
            self._loaded = now
        return self._blocks

    def forget(self) -> None:
        self._loaded = -self.ttl

    async def severity(self, host: str) -> str | None:
        blocks = await self.blocks()
        domain = covering(host, blocks)
        return blocks[domain] if domain else None

    async def allows(self, host: str) -> bool:
        """False for a suspended server: nothing federates with it in either direction."""
        return await self.severity(host) != "suspend"
