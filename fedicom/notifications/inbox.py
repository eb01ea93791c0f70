"""A staff member's inbox: their notifications, newest first, and marking them read.

The same services serve the staff page, `fedicom notifications` and the admin API; a staff member
only ever sees and changes their own notifications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.queryset import QuerySet

from fedicom.errors import BadRequest, NotFound
from fedicom.notifications.models import Notification, NotificationKind
from fedicom.staff.models import Staff

MAX_SHOWN = 500
MAX_ID = 2**62  # larger numbers name no row (and would overflow the database's integers)


@dataclass(frozen=True)
class InboxFilter:
    """Which notifications: all of them, or only unread ones, of one kind, in one community."""

    unread: bool = False
    kind: NotificationKind | None = None
    community: str | None = None

    @classmethod
    def parse(cls, *, unread: bool = False, kind: str = "", community: str = "") -> InboxFilter:
        """From the words a page, command or API call gives; BadRequest naming what is unknown."""
        if kind and kind not in NotificationKind.__members__.values():
            known = ", ".join(k.value for k in NotificationKind)
            raise BadRequest(f"{kind[:40]!r} is not a kind of notification (one of {known})")
        return cls(unread, NotificationKind(kind) if kind else None, community.strip().lower() or None)


def _mine(staff: Staff, only: InboxFilter) -> QuerySet[Notification]:
    query = Notification.filter(staff_id=staff.id)
    if only.unread:
        query = query.filter(read_at__isnull=True)
    if only.kind is not None:
        query = query.filter(kind=only.kind.value)
    if only.community is not None:
        query = query.filter(community__name=only.community)
    return query


async def list_notifications(
    staff: Staff, only: InboxFilter = InboxFilter(), *, limit: int = 50, offset: int = 0
) -> list[Notification]:
    """Newest first, with their community."""
    limit = max(1, min(limit, MAX_SHOWN))
    return await _mine(staff, only).order_by("-id").offset(offset).limit(limit).prefetch_related("community")


async def count_notifications(staff: Staff, only: InboxFilter = InboxFilter()) -> int:
    return await _mine(staff, only).count()


async def unread_count(staff: Staff) -> int:
    """What the staff navigation and the dashboard show."""
    return await Notification.filter(staff_id=staff.id, read_at__isnull=True).count()


async def mark_read(staff: Staff, notification_id: int) -> Notification:
    """Mark one of the staff member's notifications read (again: nothing changes)."""
    found = None
    if 0 < notification_id <= MAX_ID:
        found = await Notification.get_or_none(id=notification_id, staff_id=staff.id)
    if found is None:
        raise NotFound(f"you have no notification {notification_id}")
    if found.read_at is None:
        found.read_at = datetime.now(UTC)
        await Notification.filter(id=found.id, read_at__isnull=True).update(read_at=found.read_at)
    return found


async def mark_all_read(staff: Staff, only: InboxFilter = InboxFilter()) -> int:
    """Mark every unread notification that `only` selects read; how many were unread."""
    unread = InboxFilter(True, only.kind, only.community)
    ids = await _mine(staff, unread).values_list("id", flat=True)
    if not ids:
        return 0
    return await Notification.filter(id__in=list(ids), read_at__isnull=True).update(read_at=datetime.now(UTC))
