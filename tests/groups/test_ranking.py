"""Hot, New and Top: Lemmy's hot rank as a pure function of score and age."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from fedicom.groups.ranking import Candidate, hot_rank, parse_sort, rank_hot

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def hours_ago(h: float) -> datetime:
    return NOW - timedelta(hours=h)


def test_hot_rank_is_lemmys_formula() -> None:
    assert hot_rank(0, NOW, NOW) == pytest.approx(10000 * math.log10(3) / 2**1.8)
    assert hot_rank(7, hours_ago(10), NOW) == pytest.approx(10000 * math.log10(10) / 12**1.8)


def test_a_post_sinks_with_age_and_rises_with_score() -> None:
    assert hot_rank(5, hours_ago(1), NOW) > hot_rank(5, hours_ago(5), NOW) > hot_rank(5, hours_ago(50), NOW)
    assert hot_rank(20, hours_ago(5), NOW) > hot_rank(5, hours_ago(5), NOW) > hot_rank(0, hours_ago(5), NOW)


def test_heavily_downvoted_posts_bottom_out_at_zero() -> None:
    assert hot_rank(-2, hours_ago(1), NOW) == 0.0  # log10(max(1, 3 - 2)) = 0
    assert hot_rank(-50, hours_ago(1), NOW) == 0.0


def test_posts_older_than_a_week_are_not_hot() -> None:
    assert hot_rank(1000, hours_ago(7 * 24), NOW) == 0.0
    assert hot_rank(1000, hours_ago(7 * 24 - 1), NOW) > 0


def test_a_claimed_future_date_counts_as_brand_new_not_newer() -> None:
    assert hot_rank(3, NOW + timedelta(days=30), NOW) == hot_rank(3, NOW, NOW)


def test_rank_hot_orders_by_rank_then_newest() -> None:
    threads = [
        Candidate(1, score=50, published=hours_ago(24 * 10)),  # old favourite: rank 0
        Candidate(2, score=1, published=hours_ago(1)),
        Candidate(3, score=30, published=hours_ago(3)),
        Candidate(4, score=-10, published=hours_ago(0.5)),  # rank 0, but newer than the old favourite
        Candidate(5, score=1, published=hours_ago(1)),  # same rank as 2: newer id first
    ]
    assert rank_hot(threads, NOW) == [3, 5, 2, 4, 1]


@pytest.mark.parametrize(("given", "expected"), [(None, "hot"), ("", "hot"), ("New", "new"), ("top", "top")])
def test_known_sorts_are_accepted(given: str | None, expected: str) -> None:
    assert parse_sort(given) == expected


@pytest.mark.parametrize("given", ["best", "controversial", "hot;drop"])
def test_unknown_sorts_are_refused(given: str) -> None:
    assert parse_sort(given) is None
