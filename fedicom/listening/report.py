"""A community's listening view: what it listens for, the posts heard (newest first) and the volume
and sentiment per day, the same shape as insights' sentiment so the same charts draw it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fedicom.groups.models import Group
from fedicom.insights.counting import local_day
from fedicom.listening.models import Heard, HeardDay
from fedicom.listening.subscriptions import Listed, list_subscriptions

MOODS = ("positive", "neutral", "negative", "not_scored")


def heard_json(h: Heard) -> dict[str, Any]:
    return {
        "id": h.id,
        "object_id": h.object_id,
        "url": h.url,
        "author": h.author,
        "excerpt": h.excerpt,
        "published": h.published,
        "heard_at": h.heard_at,
        "sentiment": str(h.sentiment),
        "language": h.language,
        "terms": h.terms,
        "via": h.via or None,
    }


@dataclass(frozen=True)
class Listening:
    community: str
    period: dict[str, Any]
    subscriptions: list[Listed]
    heard: list[dict[str, Any]]  # newest first
    days: list[dict[str, Any]]  # every day of the period: posts heard and their sentiment

    def as_json(self) -> dict[str, Any]:
        return {
            "community": self.community,
            "period": self.period,
            "subscriptions": [s.as_json() for s in self.subscriptions],
            "heard": self.heard,
            "days": self.days,
            "total": sum(d["posts"] for d in self.days),
        }


async def listening(group: Group, days: int, *, limit: int = 100, now: datetime | None = None) -> Listening:
    """The last `days` days of the community (its time zone), today included."""
    end = local_day(now or datetime.now(UTC), group)
    start = end - timedelta(days=days - 1)
    counted = {d.day: d for d in await HeardDay.filter(group_id=group.id, day__gte=start, day__lte=end)}
    series = []
    for n in range(days):
        day = start + timedelta(days=n)
        row = counted.get(day)
        series.append(
            {"day": day.isoformat(), "posts": row.posts if row else 0}
            | {m: getattr(row, m) if row else 0 for m in MOODS}
        )
    heard = await Heard.filter(group_id=group.id).order_by("-heard_at", "-id").limit(limit)
    return Listening(
        community=group.name,
        period={"start": start.isoformat(), "end": end.isoformat(), "days": days},
        subscriptions=await list_subscriptions([group]),
        heard=[heard_json(h) for h in heard],
        days=series,
    )
