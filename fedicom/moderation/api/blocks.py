"""Admin API: instance-wide domain blocks (defederation), through the services of moderation/blocks.py."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from fedicom.moderation.api.cleanups import CleanupOut, cleanup_out
from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import NO_NUL, Strict
from fedicom.moderation.api.registry import api
from fedicom.moderation.blocks import block_domain, list_blocks, unblock_domain
from fedicom.moderation.domains import SEVERITIES
from fedicom.moderation.models import DomainBlock


class BlockOut(BaseModel):
    domain: str
    severity: str
    reject_media: bool
    reject_reports: bool
    public_comment: str
    private_comment: str
    obfuscate: bool
    source: str
    created_at: datetime


class BlockCreated(BlockOut):
    cleanup: CleanupOut | None = Field(
        description="A suspension's clean-up, queued: follow it with GET /cleanups/{job}."
    )


class BlockCreate(Strict):
    domain: str = Field(min_length=1, max_length=255, pattern=NO_NUL, examples=["spam.example"])
    severity: str = Field("suspend", json_schema_extra={"enum": list(SEVERITIES)})
    reject_media: bool = False
    reject_reports: bool = False
    public_comment: str = Field("", max_length=5000, pattern=NO_NUL, description="Shown on the public list.")
    private_comment: str = Field("", max_length=5000, pattern=NO_NUL, description="For staff only.")
    obfuscate: bool = False


class DomainPath(Strict):
    domain: str = Field(min_length=1, max_length=255, pattern=NO_NUL)


def block_out(block: DomainBlock) -> BlockOut:
    return BlockOut(
        domain=block.domain,
        severity=block.severity,
        reject_media=block.reject_media,
        reject_reports=block.reject_reports,
        public_comment=block.public_comment,
        private_comment=block.private_comment,
        obfuscate=block.obfuscate,
        source=block.source,
        created_at=block.created_at,
    )


@api.endpoint(
    "GET",
    "/blocks",
    summary="List domain blocks",
    scope="admin",
    tag="domain blocks",
    response=list[BlockOut],
)
async def blocks_list(call: Call) -> list[BlockOut]:
    """Instance-wide domain blocks, by domain, with their private notes."""
    return [block_out(b) for b in await list_blocks()]


@api.endpoint(
    "POST",
    "/blocks",
    summary="Block a domain",
    scope="admin",
    tag="domain blocks",
    body=BlockCreate,
    response=BlockCreated,
    status=201,
)
async def blocks_add(call: Call, body: BlockCreate) -> BlockCreated:
    """Block a server and its subdomains; a suspension's clean-up is queued and answered at once."""
    block, job = await block_domain(
        call.ctx,
        call.defed,
        body.domain,
        severity=body.severity,
        reject_media=body.reject_media,
        reject_reports=body.reject_reports,
        public_comment=body.public_comment,
        private_comment=body.private_comment,
        obfuscate=body.obfuscate,
        moderator=call.actor,
    )
    cleanup = cleanup_out(job) if job else None
    return BlockCreated(**block_out(block).model_dump(), cleanup=cleanup)


@api.endpoint(
    "DELETE",
    "/blocks/{domain}",
    summary="Lift a domain block",
    scope="admin",
    tag="domain blocks",
    path_model=DomainPath,
)
async def blocks_remove(call: Call, path: DomainPath) -> None:
    """Federation with the server resumes from now on."""
    await unblock_domain(call.ctx, call.defed, path.domain, moderator=call.actor)
