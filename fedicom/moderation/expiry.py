"""When a ban ends: `7d`-style durations and dates as moderators type them, and as Lemmy sends them. Pure."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fedicom.errors import BadRequest

_DURATION = re.compile(r"^(\d{1,5})\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_expiry(value: str, *, now: datetime) -> datetime:
    """`30m`, `12h`, `7d`, `2w` from now, or a date (`2026-12-31`: the ban ends at 00:00 UTC that
    day) or an ISO date-time; it must lie in the future."""
    text = value.strip().lower()
    match = _DURATION.match(text)
    if match:
        amount = int(match.group(1))
        if amount == 0:
            raise BadRequest("a ban's duration must be more than zero")
        return now + timedelta(**{_UNITS[match.group(2)]: amount})
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            when = datetime(day.year, day.month, day.day, tzinfo=UTC)
        else:
            when = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
    except ValueError:
        raise BadRequest(
            f"{value!r} is not an expiry: use a duration like 7d, 12h, 30m, 2w or a date like 2026-12-31"
        ) from None
    if when <= now:
        raise BadRequest(f"the expiry {value} is in the past")
    return when


def wire_time(value: datetime) -> str:
    """An instant as Lemmy writes and reads it (RFC 3339, UTC)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_time(value: Any) -> datetime | None:
    """An RFC 3339 instant from a remote activity; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
