"""Admin API: the moderation log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from fedicom.moderation import modlog
from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import Name, Strict
from fedicom.moderation.api.registry import api
from fedicom.moderation.models import ModlogAction


class ModlogOut(BaseModel):
    id: int
    community: str | None
    moderator: str
    action: ModlogAction
    target: str
    reason: str
    details: dict[str, Any]
    created_at: datetime


class ModlogQuery(Strict):
    community: Name | None = Field(None, description="Only this community's entries.")
    limit: int = Field(100, ge=1, le=1000)


@api.endpoint(
    "GET",
    "/modlog",
    summary="Read the modlog",
    scope="read",
    tag="modlog",
    query=ModlogQuery,
    response=list[ModlogOut],
)
async def modlog_list(call: Call, query: ModlogQuery) -> list[ModlogOut]:
    """Newest first: one community's entries (which the caller must moderate), or every entry."""
    if query.community:
        await call.community(query.community)
    rows = await modlog.entries(query.community, limit=query.limit)
    return [
        ModlogOut(
            id=e.id,
            community=e.community,
            moderator=e.moderator,
            action=e.action,
            target=e.target,
            reason=e.reason,
            details=e.details,
            created_at=e.created_at,
        )
        for e in rows
    ]
