"""Admin API: the refused and held inbound posts of the caller's communities (registered on import)."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field

from fedicom.groups.communities import list_communities
from fedicom.groups.models import Group
from fedicom.groups.reasons import Kind, Reason
from fedicom.moderation.acting import Acting
from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import Name, Strict
from fedicom.moderation.api.registry import api
from fedicom.moderation.authority import is_moderator
from fedicom.refusals.listing import Criteria, list_refusals, parse_since
from fedicom.refusals.models import Refusal, Told


class RefusalsQuery(Strict):
    community: Name | None = Field(None, description="Only this community (default: every one you moderate).")
    since: str | None = Field(
        None,
        max_length=40,
        pattern=r"^[0-9A-Za-z:+.\-]*$",
        description="30m, 24h, 7d, or an ISO 8601 date or time.",
        examples=["24h"],
    )
    code: Reason | None = Field(None, description="Only this reason.")
    held: bool | None = Field(None, description="true: only posts held for a moderator; false: only refused.")
    limit: int = Field(100, ge=1, le=500)


class RefusalOut(BaseModel):
    id: int
    community: str
    author: str
    object_id: str = Field(description="The post's ActivityPub id (for a vote: the post voted on).")
    activity_id: str
    kind: Kind
    code: Reason
    held: bool = Field(description="Stored and waiting for a moderator, rather than refused.")
    reason: str
    excerpt: str = Field(description="The start of the post as plain text.")
    told: Told = Field(description="Whether the author was sent a direct message, or why not.")
    received: datetime


def refusal_out(row: Refusal) -> RefusalOut:
    return RefusalOut(
        id=row.id,
        community=row.group.name,
        author=row.author,
        object_id=row.object_id,
        activity_id=row.activity_id,
        kind=Kind(row.kind),
        code=Reason(row.code),
        held=row.held,
        reason=row.reason,
        excerpt=row.excerpt,
        told=Told(row.told),
        received=row.created_at,
    )


async def communities_of(acting: Acting, name: str | None) -> list[Group]:
    """The community named (403 unless the caller moderates it), or every one the caller moderates."""
    if name is not None:
        return [await acting.community(name)]
    return [g for g in await list_communities() if await is_moderator(acting.ctx.site, g, acting.actor)]


@api.endpoint(
    "GET",
    "/refusals",
    summary="Refused and held inbound posts, with their reasons",
    scope="read",
    tag="refusals",
    query=RefusalsQuery,
    response=list[RefusalOut],
)
async def refusals_list(call: Call, query: RefusalsQuery) -> list[RefusalOut]:
    """Newest first: every post, reply or vote a community you moderate refused, and every post it
    holds for review, with the reason and whether the author was told."""
    criteria = Criteria(
        groups=await communities_of(call, query.community),
        since=parse_since(query.since, datetime.now(UTC)) if query.since else None,
        code=query.code,
        held=query.held,
    )
    return [refusal_out(r) for r in await list_refusals(criteria, limit=query.limit)]
