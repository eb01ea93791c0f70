"""Repeat rules and when they come round, across daylight-saving changes. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from fedicom.errors import BadRequest
from fedicom.groups.timezones import zone
from fedicom.publishing.recurrence import Recurrence, describe, next_run, parse_rule

PARIS = zone("Europe/Paris")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("spec", "rule"),
    [
        ("fri 10:00", Recurrence(time(10, 0), frozenset({4}))),
        ("every Friday at 10:00", Recurrence(time(10, 0), frozenset({4}))),
        ("mon,thu 18:30", Recurrence(time(18, 30), frozenset({0, 3}))),
        ("daily 9:05", Recurrence(time(9, 5))),
        ("weekdays 08:00", Recurrence(time(8, 0), frozenset(range(5)))),
        ("monthly 1 09:00", Recurrence(time(9, 0), day_of_month=1)),
    ],
)
def test_rules_are_read_as_typed(spec: str, rule: Recurrence) -> None:
    assert parse_rule(spec) == rule


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("fri", "is not a repeat rule"),
        ("fri 25:00", "is not a time of day"),
        ("someday 10:00", "is not a day"),
        ("monthly 31 10:00", "day 1 to 28"),
    ],
)
def test_bad_rules_say_what_is_understood(spec: str, reason: str) -> None:
    with pytest.raises(BadRequest, match=reason):
        parse_rule(spec)


def test_every_friday_at_ten_in_paris_follows_the_clock_change() -> None:
    rule = parse_rule("fri 10:00")
    # Friday 2026-10-23 10:00 in Paris is 08:00 UTC (summer time); a week later it is 09:00 UTC (winter)
    first = next_run(rule, utc("2026-10-20T12:00:00"), PARIS)
    assert first == utc("2026-10-23T08:00:00")
    assert next_run(rule, first, PARIS) == utc("2026-10-30T09:00:00")


def test_a_run_at_the_very_moment_is_not_repeated() -> None:
    rule = parse_rule("daily 10:00")
    now = utc("2026-12-05T09:00:00")  # 10:00 in Paris
    assert next_run(rule, now, PARIS) == utc("2026-12-06T09:00:00")


def test_a_time_skipped_by_the_clock_is_shifted_forward() -> None:
    # 2027-03-28 02:30 does not exist in Paris (02:00 → 03:00): it comes out at 03:30 local, 01:30 UTC
    assert next_run(parse_rule("daily 02:30"), utc("2027-03-27T12:00:00"), PARIS) == utc(
        "2027-03-28T01:30:00"
    )


def test_rules_in_words_and_unknown_zones() -> None:
    assert describe(parse_rule("mon,fri 10:00")) == "every Monday, Friday at 10:00"
    assert describe(parse_rule("monthly 1 09:00")) == "on day 1 of each month at 09:00"
    with pytest.raises(BadRequest, match="is not a time zone"):
        zone("Mars/Olympus")
