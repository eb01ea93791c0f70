"""The rules as the leaderboard shows them: points from a tally, never below 0; regulars by distinct
weeks; last calendar month; the top of a month, ties shared; badges the rarest first."""

from __future__ import annotations

from datetime import date, timedelta

from fedicom.recognition import rules
from fedicom.recognition.rules import Badge, Tally


def test_points_add_up_by_the_published_rules_and_never_go_below_zero() -> None:
    assert rules.points(Tally(up=3, down=1, repliers=2, answers=1, ideas=1)) == 3 - 1 + 4 + 15 + 20
    assert rules.points(Tally(down=5, up=1)) == 0
    assert Tally(up=1) + Tally(down=2, ideas=1) == Tally(up=1, down=2, ideas=1)


def test_a_regular_posted_in_four_distinct_weeks_of_the_last_eight() -> None:
    today = date(2026, 12, 6)  # a Sunday
    weekly = [today - timedelta(weeks=w) for w in (0, 2, 4, 7)]
    assert rules.is_regular(weekly, today)
    assert not rules.is_regular([*weekly[:3], today - timedelta(days=1)], today)  # the same week twice
    assert not rules.is_regular([*weekly[:3], today - timedelta(weeks=8)], today)  # too long ago


def test_last_calendar_month_across_a_new_year() -> None:
    assert rules.previous_month(date(2027, 1, 15)) == (date(2026, 12, 1), date(2027, 1, 1))
    assert rules.previous_month(date(2026, 3, 1)) == (date(2026, 2, 1), date(2026, 3, 1))


def test_the_top_of_a_month_shares_ties_and_needs_points() -> None:
    assert rules.top_of({"a": 5, "b": 5, "c": 2}) == {"a", "b"}
    assert rules.top_of({"a": 0}) == frozenset() and rules.top_of({}) == frozenset()


def test_badges_come_rarest_first_and_each_says_how_it_is_earned() -> None:
    found = rules.badges_of(tally=Tally(answers=1), contributed=True, regular=False, top=True, expert=True)
    assert found == (Badge.EXPERT, Badge.TOP_OF_MONTH, Badge.ACCEPTED_ANSWER, Badge.FIRST_CONTRIBUTION)
    assert set(rules.LABELS) == set(rules.EARNED_BY) == set(Badge)
