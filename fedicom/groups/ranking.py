"""Ordering of threads on a community page: Hot (Lemmy's rank of score and age), New and Top. Pure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

SORTS = ("hot", "new", "top")
HOT_HORIZON_HOURS = 7 * 24  # Lemmy stops ranking posts older than a week: they sink below all others
HOT_GRAVITY = 1.8


def hot_rank(score: int, published: datetime, now: datetime) -> float:
    """Lemmy's hot rank: 10000·log10(max(1, 3 + score)) / (hours + 2)^1.8, 0 after a week.

    The +3 keeps a new post with a few downvotes visible for a while; the +2 hours keeps a brand-new
    post from outranking everything for its first minutes.
    """
    hours = max(0.0, (now - published).total_seconds() / 3600)
    if hours >= HOT_HORIZON_HOURS:
        return 0.0
    return float(10000 * math.log10(max(1, 3 + score)) / (hours + 2) ** HOT_GRAVITY)


@dataclass(frozen=True)
class Candidate:
    """What ranking needs of a thread (a row of a cheap query, not the whole post)."""

    id: int
    score: int
    published: datetime


def rank_hot(candidates: Sequence[Candidate], now: datetime) -> list[int]:
    """Thread ids, hottest first; ties (and everything older than a week) newest first."""
    ordered = sorted(
        candidates, key=lambda c: (hot_rank(c.score, c.published, now), c.published, c.id), reverse=True
    )
    return [c.id for c in ordered]


def parse_sort(value: str | None, default: str = "hot") -> str | None:
    """The sort a visitor asked for (`?sort=`), or None when it is not one we know; `default` when none."""
    sort = (value or default).strip().lower()
    return sort if sort in SORTS else None
