"""How fast questions communities' questions get the answer their askers or staff accept: of the
questions asked in a period (each community's calendar), how many have an accepted answer, and the
median hours from a question to the arrival of the reply accepted as its answer (docs/questions.md).
An answer removed or deleted since does not count, as on the pages.

Read from the Q&A area's `accepted_answer` table by SQL, as insights reads every area's rows: insights
sits below that area (answers credit recognition, which counts with insights), so it never imports it.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fedicom.groups.kinds import CommunityKind
from fedicom.groups.models import Group, PostState
from fedicom.insights.counting import local_day
from fedicom.insights.db import query
from fedicom.insights.period import Period


@dataclass(frozen=True)
class Asked:
    """One question: when it was asked, and when the reply later accepted as its answer arrived."""

    day: date  # the community's calendar day it was asked
    asked: datetime
    answered: datetime | None

    @property
    def hours(self) -> float | None:
        if self.answered is None:
            return None
        return max(0.0, (self.answered - self.asked).total_seconds() / 3600)


def figures(items: list[Asked]) -> dict[str, Any]:
    """Questions asked, those with an accepted answer, their share, and the median hours to it. Pure."""
    hours = [h for h in (i.hours for i in items) if h is not None]
    return {
        "questions": len(items),
        "accepted": len(hours),
        "share_accepted": round(len(hours) / len(items), 3) if items else None,
        "hours_to_accepted_median": round(statistics.median(hours), 2) if hours else None,
    }


def by_day(items: list[Asked]) -> dict[date, dict[str, Any]]:
    """The same figures for the questions asked on each day. Pure."""
    days: dict[date, list[Asked]] = {}
    for item in items:
        days.setdefault(item.day, []).append(item)
    return {day: figures(found) for day, found in days.items()}


def _moment(value: Any) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


async def asked(groups: list[Group], period: Period) -> list[Asked] | None:
    """The questions asked in the period in those of `groups` that are questions communities (None
    when none is), shown ones only, with their accepted answer's arrival."""
    questions = [g for g in groups if g.kind == CommunityKind.QUESTIONS]
    if not questions:
        return None
    found: list[Asked] = []
    for group in questions:
        first, after = period.bounds(group)
        rows = await query(
            "SELECT q.created_at AS asked, a.created_at AS answered FROM post q "
            "LEFT JOIN accepted_answer x ON x.question_id = q.id "
            "LEFT JOIN post a ON a.id = x.answer_id AND a.deleted = ? AND a.state = ? "
            "WHERE q.group_id = ? AND q.parent_id IS NULL AND q.deleted = ? AND q.state = ? "
            "AND q.created_at >= ? AND q.created_at < ?",
            [False, PostState.VISIBLE.value, group.id, False, PostState.VISIBLE.value, first, after],
        )
        for row in rows:
            at = _moment(row["asked"])
            answered = _moment(row["answered"]) if row["answered"] is not None else None
            found.append(Asked(local_day(at, group), at, answered))
    return found
