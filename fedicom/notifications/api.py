"""Admin API: the caller's own notifications, and marking them read.

Marking read changes nothing anyone else sees, so a `read` token may do it (a chat bot that relays
notifications needs no moderation powers).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import IdPath, Name, Strict
from fedicom.moderation.api.registry import api
from fedicom.notifications.inbox import InboxFilter, list_notifications, mark_all_read, mark_read
from fedicom.notifications.models import Notification, NotificationKind


class NotificationOut(BaseModel):
    id: int
    kind: NotificationKind
    community: str | None = Field(description="None for a report about the instance.")
    actor: str = Field(description="Who did it: the author, reporter or would-be member.")
    url: str = Field(description="Where to look: the post, the held posts, the report or the requests.")
    excerpt: str = Field(description="Plain text, never markup.")
    created_at: datetime
    read_at: datetime | None


class NotificationQuery(Strict):
    unread: bool = Field(False, description="Only unread notifications.")
    kind: NotificationKind | None = None
    community: Name | None = None
    limit: int = Field(50, ge=1, le=500)


class ReadAllQuery(Strict):
    kind: NotificationKind | None = Field(None, description="Only this kind (default: every kind).")
    community: Name | None = Field(None, description="Only this community's (default: all).")


class Marked(BaseModel):
    marked: int = Field(description="How many unread notifications were marked read.")


def notification_out(n: Notification) -> NotificationOut:
    return NotificationOut(
        id=n.id,
        kind=NotificationKind(n.kind),
        community=n.community.name if n.community else None,
        actor=n.actor,
        url=n.url,
        excerpt=n.excerpt,
        created_at=n.created_at,
        read_at=n.read_at,
    )


@api.endpoint(
    "GET",
    "/notifications",
    summary="List your notifications",
    scope="read",
    tag="notifications",
    query=NotificationQuery,
    response=list[NotificationOut],
)
async def notifications_list(call: Call, query: NotificationQuery) -> list[NotificationOut]:
    """Newest first: replies, mentions, reports, join requests and held posts for the token's owner."""
    only = InboxFilter(query.unread, query.kind, query.community)
    return [notification_out(n) for n in await list_notifications(call.staff, only, limit=query.limit)]


@api.endpoint(
    "POST",
    "/notifications/{id}/read",
    summary="Mark a notification read",
    scope="read",
    tag="notifications",
    path_model=IdPath,
    response=NotificationOut,
)
async def notifications_read(call: Call, path: IdPath) -> NotificationOut:
    """404 unless it is one of the caller's; marking it again changes nothing."""
    found = await mark_read(call.staff, path.id)
    await found.fetch_related("community")
    return notification_out(found)


@api.endpoint(
    "POST",
    "/notifications/read-all",
    summary="Mark all your notifications read",
    scope="read",
    tag="notifications",
    query=ReadAllQuery,
    response=Marked,
)
async def notifications_read_all(call: Call, query: ReadAllQuery) -> Marked:
    """Every unread notification of the caller's (of one kind, in one community, when given)."""
    return Marked(marked=await mark_all_read(call.staff, InboxFilter(True, query.kind, query.community)))
