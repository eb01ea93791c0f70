"""The moderation log: every action appended, never changed (the database refuses edits)."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.moderation.models import ModlogEntry


async def record(
    moderator: str,
    action: str,
    target: str,
    *,
    reason: str = "",
    community: str | None = None,
    details: dict[str, Any] | None = None,
    conn: BaseDBAsyncClient | None = None,
) -> ModlogEntry:
    return await ModlogEntry.create(
        moderator=moderator,
        action=action,
        target=target,
        reason=reason,
        community=community,
        details=details or {},
        using_db=conn,
    )


async def entries(community: str | None = None, *, limit: int = 100) -> list[ModlogEntry]:
    """Newest first: one community's entries, or every entry when no community is named."""
    query = ModlogEntry.filter(community=community) if community else ModlogEntry.all()
    return await query.order_by("-id").limit(limit)
