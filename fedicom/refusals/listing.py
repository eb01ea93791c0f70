"""What staff read about refusals: the list with its filters, and counts per community for the dashboard.

The CLI (`fedicom refused list`), the admin API and the staff page all read through here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.functions import Count
from tortoise.queryset import QuerySet

from fedicom.errors import BadRequest
from fedicom.groups.models import Group
from fedicom.groups.reasons import Reason
from fedicom.refusals.models import Refusal

MAX_LIST = 500
_AGO = re.compile(r"^(\d{1,5})([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_since(text: str, now: datetime) -> datetime:
    """`30m`, `24h`, `7d` before `now`, or an ISO 8601 date or time (UTC unless it says otherwise)."""
    text = text.strip()
    if match := _AGO.match(text):
        return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"since is 30m, 24h, 7d or an ISO date, not {text[:40]!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Criteria:
    """Which refusals to list: of these communities (None: every one), since when, which reason."""

    groups: list[Group] | None = None
    since: datetime | None = None
    code: Reason | None = None
    held: bool | None = None  # True: only holds, False: only refusals, None: both


def _matching(criteria: Criteria) -> QuerySet[Refusal]:
    query = Refusal.all()
    if criteria.groups is not None:
        query = query.filter(group_id__in=[g.id for g in criteria.groups])
    if criteria.since is not None:
        query = query.filter(created_at__gte=criteria.since)
    if criteria.code is not None:
        query = query.filter(code=criteria.code)
    if criteria.held is not None:
        query = query.filter(held=criteria.held)
    return query


async def list_refusals(criteria: Criteria, *, limit: int = 100, offset: int = 0) -> list[Refusal]:
    """Newest first, with their communities."""
    rows = _matching(criteria).order_by("-id").offset(offset).limit(min(limit, MAX_LIST))
    return await rows.prefetch_related("group")


async def count_refusals(criteria: Criteria) -> int:
    return await _matching(criteria).count()


async def recent_counts(groups: list[Group], since: datetime) -> dict[int, int]:
    """Refusals and holds per community since `since`, in one grouped query."""
    if not groups:
        return {}
    rows = (
        await Refusal.filter(group_id__in=[g.id for g in groups], created_at__gte=since)
        .annotate(n=Count("id"))
        .group_by("group_id")
        .values("group_id", "n")
    )
    return {row["group_id"]: row["n"] for row in rows}
