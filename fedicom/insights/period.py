"""A period of a community's calendar: the last `days` days, today included, and the one before it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from fedicom.groups.timezones import zone


class Zoned(Protocol):
    """A community, or the instance: what has a calendar of its own."""

    @property
    def timezone(self) -> str: ...


@dataclass(frozen=True)
class Period:
    start: date  # first day
    end: date  # last day, included

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def before(self) -> Period:
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def bounds(self, where: Zoned) -> tuple[datetime, datetime]:
        """The period as instants: from the first day's midnight to the day after the last, locally."""
        tz = zone(where.timezone)
        first = datetime.combine(self.start, time(), tz).astimezone(UTC)
        after = datetime.combine(self.end + timedelta(days=1), time(), tz).astimezone(UTC)
        return first, after


def last_days(where: Zoned, days: int, now: datetime | None = None) -> Period:
    today = (now or datetime.now(UTC)).astimezone(zone(where.timezone)).date()
    return Period(today - timedelta(days=days - 1), today)
