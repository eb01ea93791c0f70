"""When a repeated post comes out again: a rule such as `fri 10:00`, read in the community's time
zone. Pure.

Rules (an optional leading "every" and an "at" before the time are allowed):
`daily 09:30`, `weekdays 08:00`, `fri 10:00`, `mon,thu 18:00`, `monthly 1 09:00`.
A local time that does not exist on a day (the hour skipped when clocks go forward) is shifted
forward by the gap; a time that occurs twice (clocks going back) is taken the first time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fedicom.errors import BadRequest

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_NUMBERS = {name: number for names in (DAYS, FULL_DAYS) for number, name in enumerate(names)}
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
MAX_SPEC = 100


@dataclass(frozen=True)
class Recurrence:
    """Which days (weekday numbers, or one day of the month) and at what local time."""

    at: time
    weekdays: frozenset[int] = frozenset(range(7))
    day_of_month: int | None = None

    def matches(self, day: date) -> bool:
        if self.day_of_month is not None:
            return day.day == self.day_of_month
        return day.weekday() in self.weekdays


def _day(word: str) -> int:
    if word not in _DAY_NUMBERS:
        raise BadRequest(f"{word[:20]!r} is not a day: use mon, tue, wed, thu, fri, sat or sun")
    return _DAY_NUMBERS[word]


def parse_rule(spec: str) -> Recurrence:
    """A rule as typed, or BadRequest saying what is understood."""
    words = spec.strip().lower().replace(" at ", " ").split()
    if words[:1] == ["every"]:
        words = words[1:]
    if len(spec) > MAX_SPEC or len(words) < 2:
        raise BadRequest(
            f"{spec[:40]!r} is not a repeat rule such as 'fri 10:00', 'daily 09:30' or 'monthly 1 09:00'"
        )
    match = _TIME_RE.match(words[-1])
    if not match:
        raise BadRequest(f"{words[-1][:20]!r} is not a time of day such as 10:00")
    at = time(int(match.group(1)), int(match.group(2)))
    days = words[:-1]
    if days == ["daily"] or days == ["day"]:
        return Recurrence(at)
    if days == ["weekdays"]:
        return Recurrence(at, frozenset(range(5)))
    if days[0] == "monthly" and len(days) == 2 and days[1].isdigit():
        number = int(days[1])
        if not 1 <= number <= 28:
            raise BadRequest("a monthly post comes out on day 1 to 28 (every month has them)")
        return Recurrence(at, day_of_month=number)
    names = [d for word in days for d in word.split(",") if d]
    return Recurrence(at, frozenset(_day(name) for name in names))


def next_run(rule: Recurrence, after: datetime, tz: ZoneInfo) -> datetime:
    """The first time strictly after `after` (aware) when the rule says to publish, in UTC."""
    local_day = after.astimezone(tz).date()
    for offset in range(0, 400):
        day = local_day + timedelta(days=offset)
        if not rule.matches(day):
            continue
        moment = datetime.combine(day, rule.at, tzinfo=tz).astimezone(UTC)  # fold=0: the first of two
        if moment > after:
            return moment
    raise BadRequest("the rule never comes round")  # unreachable for the rules parse_rule builds


def describe(rule: Recurrence) -> str:
    """The rule in words, for lists and notices."""
    at = rule.at.strftime("%H:%M")
    if rule.day_of_month is not None:
        return f"on day {rule.day_of_month} of each month at {at}"
    if rule.weekdays == frozenset(range(7)):
        return f"every day at {at}"
    if rule.weekdays == frozenset(range(5)):
        return f"every weekday at {at}"
    names = [FULL_DAYS[d].capitalize() for d in sorted(rule.weekdays)]
    return f"every {', '.join(names)} at {at}"
