"""Engagement stages, counted once a day per community: where each member stands (following only,
first contribution, regular, passionate) from their contributions and their active days in the last 30.

A stage moves with the days that pass as much as with activity (a regular who stops posting becomes
a first contributor again after a month), so stages are a daily snapshot, not a running count.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fedicom.groups.models import Group, Membership, MembershipState
from fedicom.insights.db import query
from fedicom.insights.models import StageDay
from fedicom.insights.scoring import Stage, Thresholds, stage
from fedicom.settings import Settings


def thresholds(settings: Settings) -> Thresholds:
    """The stage thresholds the operator set (FEDICOM_STAGE_REGULAR_DAYS, FEDICOM_STAGE_PASSIONATE_DAYS)."""
    return Thresholds(settings.stage_regular_days, settings.stage_passionate_days)


async def count(group: Group, today: date, limits: Thresholds) -> dict[str, int]:
    """Members per stage as of `today` (the community's day)."""
    members = await Membership.filter(group_id=group.id, state=MembershipState.ACCEPTED).values_list(
        "actor", flat=True
    )
    contributed = {
        r["actor"]: int(r["n"])
        for r in await query(
            "SELECT actor, posts + comments AS n FROM insight_member "
            "WHERE group_id = ? AND posts + comments > 0",
            [group.id],
        )
    }
    active_days = {
        r["actor"]: int(r["n"])
        for r in await query(
            "SELECT actor, COUNT(*) AS n FROM insight_member_day WHERE group_id = ? AND day > ? AND day <= ? "
            "GROUP BY actor",
            [group.id, today - timedelta(days=30), today],
        )
    }
    tally = Tally(stage(contributed.get(a, 0), active_days.get(a, 0), limits) for a in members)
    return {s.value: tally.get(s, 0) for s in Stage}


async def snapshot(group: Group, today: date, limits: Thresholds) -> dict[str, int]:
    """Today's stages, counted and kept (again if asked again: the latest count of the day wins)."""
    counts = await count(group, today, limits)
    await StageDay.update_or_create(group_id=group.id, day=today, defaults=counts)
    return counts


async def history(group: Group, first: date, last: date) -> list[dict[str, object]]:
    rows = await StageDay.filter(group_id=group.id, day__gte=first, day__lte=last).order_by("day")
    return [{"day": r.day.isoformat(), **{s.value: getattr(r, s.value) for s in Stage}} for r in rows]


@dataclass(frozen=True)
class Move:
    """One stage's members at the first and at the last snapshot of a period."""

    stage: Stage
    start: int
    end: int

    @property
    def change(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Movement:
    """The funnel's net movement over a period: from its first snapshot to its last (today's, as read)."""

    first: date
    last: date
    moves: list[Move]


def movement(days: Sequence[Mapping[str, Any]]) -> Movement | None:
    """How each stage moved across `days`, snapshots as `history` gives them; None below two, since one
    day tells where members stand, not where they are going. A day without a snapshot is skipped, never
    taken for zero members."""
    if len(days) < 2:
        return None
    start, end = days[0], days[-1]
    return Movement(
        date.fromisoformat(str(start["day"])),
        date.fromisoformat(str(end["day"])),
        [Move(s, int(start[s.value]), int(end[s.value])) for s in Stage],
    )
