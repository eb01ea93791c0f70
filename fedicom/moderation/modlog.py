"""The moderation log: every action appended, never changed (the database refuses edits)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.moderation.models import ModlogAction, ModlogEntry
from fedicom.staff.models import Staff


async def record(
    moderator: str,
    action: ModlogAction,
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


def staff_removed(moderator: str) -> Callable[[Staff, int, BaseDBAsyncClient], Awaitable[ModlogEntry]]:
    """The entry of `moderator` removing a staff account, written in the removal's transaction."""

    async def entry(staff: Staff, tokens_revoked: int, conn: BaseDBAsyncClient) -> ModlogEntry:
        details = {"tokens_revoked": tokens_revoked}
        return await record(moderator, ModlogAction.REMOVE_STAFF, staff.username, details=details, conn=conn)

    return entry


async def entries(
    community: str | None = None,
    *,
    action: ModlogAction | str | None = None,
    moderator: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[ModlogEntry]:
    """Newest first: every entry, or only those of one community, one action and/or one moderator."""
    query = ModlogEntry.all()
    if community:
        query = query.filter(community=community)
    if action:
        try:
            query = query.filter(action=ModlogAction(action))
        except ValueError:  # a word the log never records (a filter typed by hand) matches nothing
            return []
    if moderator:
        query = query.filter(moderator=moderator)
    return await query.order_by("-id").offset(offset).limit(limit)


async def recorded_choices() -> tuple[list[str], list[str]]:
    """The actions and the moderators the log holds, sorted: what staff may filter it by."""
    actions = await ModlogEntry.all().distinct().values_list("action", flat=True)
    moderators = await ModlogEntry.all().distinct().values_list("moderator", flat=True)
    return sorted(map(str, actions)), sorted(map(str, moderators))
