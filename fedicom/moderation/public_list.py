"""The public list of blocked servers, as Mastodon shows it on /about and in its instance API.

Only instance-wide blocks a visitor can notice are listed (suspended, limited, or media rejected),
each with its public reason; obfuscated domains are partly hidden and private notes never leave.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q

from fedicom.moderation.blocklists import MASTODON_SEVERITY
from fedicom.moderation.domains import digest, obfuscated
from fedicom.moderation.models import DomainBlock

LABELS = {"suspend": "Suspended", "limit": "Limited", "noop": "Media rejected"}


@dataclass(frozen=True)
class PublicBlock:
    domain: str  # obfuscated when the block says so
    digest: str  # of the real domain
    severity: str  # fedicom's name
    comment: str

    def mastodon(self) -> dict[str, str]:
        """Mastodon's `DomainBlock` entity (GET /api/v1/instance/domain_blocks)."""
        return {
            "domain": self.domain,
            "digest": self.digest,
            "severity": MASTODON_SEVERITY.get(self.severity, self.severity),
            "comment": self.comment,
        }

    @property
    def label(self) -> str:
        return LABELS[self.severity]


def public_block(block: DomainBlock) -> PublicBlock:
    shown = obfuscated(block.domain) if block.obfuscate else block.domain
    return PublicBlock(shown, digest(block.domain), block.severity, block.public_comment)


async def public_blocks() -> list[PublicBlock]:
    visible = Q(severity__in=["suspend", "limit"]) | Q(reject_media=True)
    blocks = await DomainBlock.filter(visible, community_id=None).order_by("domain")
    return [public_block(b) for b in blocks]
