"""Pure judgements over counted figures: a member's engagement stage, and the health score.

The health score follows the six factors of Lithium's Community Health Index (members, content,
traffic, liveliness, interaction, responsiveness); each factor is 0 to 100 with the rule that made it
shown beside it, so a manager can tell what moved the score. A factor with nothing to measure is left
out of the mean, never counted as zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    FOLLOWING = "following"  # a member who has not posted or commented yet
    FIRST = "first_contribution"
    REGULAR = "regular"
    PASSIONATE = "passionate"


@dataclass(frozen=True)
class Thresholds:
    """Days with activity in the last 30 that make a contributor regular, then passionate."""

    regular_days: int = 4
    passionate_days: int = 12


def stage(contributions: int, active_days_30: int, limits: Thresholds) -> Stage:
    if contributions == 0:
        return Stage.FOLLOWING
    if active_days_30 >= limits.passionate_days:
        return Stage.PASSIONATE
    if active_days_30 >= limits.regular_days:
        return Stage.REGULAR
    return Stage.FIRST


@dataclass(frozen=True)
class Factor:
    name: str
    score: float | None  # None: nothing to measure in the period
    value: str  # the measure it came from, in words
    how: str  # the rule, shown on the dashboard


LIVELY_MEMBERS = 5  # a day is lively when at least this many members took part


def _clamp(x: float) -> float:
    return round(max(0.0, min(100.0, x)), 1)


def members_factor(members_start: int, joins: int, leaves: int) -> Factor:
    growth = (joins - leaves) / members_start if members_start > 0 else (1.0 if joins > leaves else 0.0)
    return Factor(
        "members",
        _clamp(50 + 500 * growth),
        f"{joins} joined, {leaves} left, from {members_start}",
        "50 + 500 x net growth: 50 when as many join as leave, 100 at +10 % in the period, 0 at -10 %",
    )


def content_factor(now: int, before: int) -> Factor:
    score = _clamp(50 * now / before) if before else (100.0 if now else None)
    return Factor(
        "content",
        score,
        f"{now} posts and comments, {before} in the previous period",
        "50 x this period's posts and comments / the previous period's: 100 when they doubled",
    )


def traffic_factor(views: int, before: int) -> Factor:
    score = _clamp(50 * views / before) if before else (100.0 if views else None)
    return Factor(
        "traffic",
        score,
        f"{views} page views, {before} in the previous period",
        "50 x this period's page views / the previous period's: 100 when they doubled",
    )


def liveliness_factor(lively_days: int, days: int) -> Factor:
    return Factor(
        "liveliness",
        _clamp(100 * lively_days / days) if days else None,
        f"{lively_days} of {days} days with {LIVELY_MEMBERS} or more active members",
        f"100 x share of days on which {LIVELY_MEMBERS} or more members posted, commented or voted",
    )


def interaction_factor(threads: int, mean_participants: float) -> Factor:
    return Factor(
        "interaction",
        _clamp(100 * (mean_participants - 1) / 4) if threads else None,
        f"{mean_participants:.1f} people per thread over {threads} threads",
        "100 x (people per thread - 1) / 4: 0 when nobody answers, 100 at five people per thread",
    )


def responsiveness_factor(answered_in_24h: int, threads: int) -> Factor:
    return Factor(
        "responsiveness",
        _clamp(100 * answered_in_24h / threads) if threads else None,
        f"{answered_in_24h} of {threads} threads answered within 24 h",
        "100 x share of threads (a day old or more) that had a reply within 24 hours",
    )


def health(factors: list[Factor]) -> float | None:
    """The mean of the factors that could be measured."""
    measured = [f.score for f in factors if f.score is not None]
    return round(sum(measured) / len(measured), 1) if measured else None
