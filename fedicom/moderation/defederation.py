"""Which servers fedicom federates with: domain blocks, allowed domains and the federation mode, cached.

The federation layer asks through hooks (inbound requests, signed fetches, deliveries); a suspended
server (or any subdomain of it) gets none of them, and in allowlist mode neither does an unknown one.
The community services ask here whether a server's posts wait for a moderator (limit, quarantine).
"""

from __future__ import annotations

from dataclasses import dataclass

from fedicom.moderation.domains import MODES, covering, hostname, rank
from fedicom.moderation.models import DomainAllow, DomainBlock
from fedicom.storage.reloading import Reloaded

QUARANTINE_HOLD = "is not yet approved (this instance is in quarantine mode)"


@dataclass(frozen=True)
class Block:
    """What the cache keeps of one block."""

    severity: str
    reject_media: bool = False
    reject_reports: bool = False


@dataclass(frozen=True)
class _Lists:
    blocks: dict[int | None, dict[str, Block]]  # by community id (None: instance-wide), domain → block
    allowed: dict[str, str]  # approved domain → "allow"


async def _read_lists() -> _Lists:
    scoped: dict[int | None, dict[str, Block]] = {None: {}}
    columns = ("community_id", "domain", "severity", "reject_media", "reject_reports")
    for community_id, domain, severity, media, reports in await DomainBlock.all().values_list(*columns):
        scoped.setdefault(community_id, {})[str(domain)] = Block(str(severity), bool(media), bool(reports))
    allowed = await DomainAllow.all().values_list("domain", flat=True)
    return _Lists(scoped, {str(d): "allow" for d in allowed})


class Defederation:
    def __init__(self, ttl: float = 2.0, mode: str = "blocklist") -> None:
        if mode not in MODES:
            raise ValueError(f"unknown federation mode {mode!r}; use one of {', '.join(MODES)}")
        self.mode = mode
        self._lists = Reloaded(_read_lists, ttl)

    async def _all(self) -> dict[int | None, dict[str, Block]]:
        """Blocks by community id (None: instance-wide), each domain → its block."""
        return (await self._lists.get()).blocks

    async def blocks(self) -> dict[str, str]:
        """Instance-wide blocks: domain → severity."""
        return {domain: b.severity for domain, b in (await self._all())[None].items()}

    def forget(self) -> None:
        self._lists.forget()

    async def _covering(self, host: str, community_id: int | None) -> list[Block]:
        scoped = await self._all()
        found = []
        for blocks in (scoped[None], scoped.get(community_id, {}) if community_id is not None else {}):
            domain = covering(host, blocks)
            if domain:
                found.append(blocks[domain])
        return found

    async def severity(self, host: str, community_id: int | None = None) -> str | None:
        """The strongest block covering host, instance-wide or (when given) in that community."""
        found = None
        for block in await self._covering(host, community_id):
            if found is None or rank(block.severity) > rank(found):
                found = block.severity
        return found

    async def is_allowed(self, host: str) -> bool:
        """Whether host (or a parent domain) is on the list of approved servers (DomainAllow)."""
        return covering(host, (await self._lists.get()).allowed) is not None

    async def allows(self, host: str) -> bool:
        """False when nothing may federate with host: suspended, or unknown in allowlist mode."""
        if await self.severity(host) == "suspend":
            return False
        if self.mode == "allowlist":
            return await self.is_allowed(host)
        return True

    async def rejects_reports(self, host: str) -> bool:
        """Whether reports (Flag) from host are dropped: an instance-wide block says reject_reports."""
        if self.mode == "open":
            return False
        return any(b.reject_reports for b in await self._covering(host, None))

    async def rejects_media(self, host: str, community_id: int | None = None) -> bool:
        """Whether attachments of host's posts are dropped (reject_media, instance-wide or there)."""
        if self.mode == "open":
            return False
        return any(b.reject_media for b in await self._covering(host, community_id))

    async def limits(self, host: str, community_id: int | None) -> bool:
        """Whether host is limited (instance-wide or in that community): its follows need approval."""
        return self.mode != "open" and await self.severity(host, community_id) == "limit"

    async def hold_reason(self, host: str, community_id: int | None) -> str | None:
        """Why posts from host must wait for a moderator (limited, or quarantined), else None."""
        if self.mode == "open":
            return None  # open federation: only suspensions apply
        scoped = await self._all()
        scopes = [(scoped[None], "on this instance")]
        if community_id is not None:
            scopes.append((scoped.get(community_id, {}), "in this community"))
        for blocks, where in scopes:
            domain = covering(host, blocks)
            if domain and blocks[domain].severity == "limit":
                return f"{domain} is limited {where}"
        if self.mode == "quarantine" and not await self.is_allowed(host):
            return f"{hostname(host)} {QUARANTINE_HOLD}"
        return None
