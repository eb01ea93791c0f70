"""Crisis alerts: a day whose negative posts, reports or leaves rise well above the community's recent
baseline fires once, lists what is behind it, and tells the community's staff.

The test is a control chart: the day's figure against the mean of the days before plus k standard
deviations. A quiet community has a deviation near zero, where one event would be a "spike"; a floor
under the deviation (the Poisson deviation of a count, 0.05 for a share) and a minimum number of
events keep single posts from raising alarms. Today is judged as its figures stand, hourly, so an
alert comes the hour a spike is visible, not the next morning.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from fedicom.groups.events import AlertRaised, GroupEvents
from fedicom.groups.models import Group
from fedicom.insights.db import query
from fedicom.insights.models import (
    Alert,
    AlertMetric,
    AlertRule,
    MemberEvent,
    PostFacts,
    ReportSeen,
    Sentiment,
)
from fedicom.insights.period import Period

SHARE_FLOOR = 0.05
MIN_HISTORY = 7  # days of baseline before a metric can alert at all
BEHIND = 50  # posts, reports or members listed with an alert


@dataclass(frozen=True)
class Spike:
    value: float
    baseline: float
    spread: float
    threshold: float


def spike(
    history: list[float], value: float, count: int, *, k: float, min_count: int, share: bool
) -> Spike | None:
    """Whether `value` (with `count` events behind it) stands above `history` by k deviations."""
    if count < min_count or len(history) < MIN_HISTORY:
        return None
    mean = statistics.fmean(history)
    floor = SHARE_FLOOR if share else math.sqrt(max(mean, 1.0))
    spread = max(statistics.pstdev(history), floor)
    threshold = mean + k * spread
    return Spike(value, mean, spread, threshold) if value > threshold else None


@dataclass(frozen=True)
class DayFigure:
    value: float
    count: int


def figure(metric: AlertMetric, row: dict[str, Any] | None) -> DayFigure | None:
    """A day's figure for `metric`; None for a share on a day with nothing scored."""
    if row is None:
        return None if metric == AlertMetric.NEGATIVE_SHARE else DayFigure(0.0, 0)
    if metric == AlertMetric.NEGATIVE_SHARE:
        scored = row["positive"] + row["neutral"] + row["negative"]
        return DayFigure(row["negative"] / scored, row["negative"]) if scored else None
    count = int(row[metric.value])
    return DayFigure(float(count), count)


async def rules_for(group: Group) -> list[AlertRule]:
    """Per metric: the community's own rule, else the instance-wide one, else the default (unsaved);
    metrics whose rule is switched off are left out."""
    rows = await AlertRule.filter(group_id=group.id) + await AlertRule.filter(group_id=None)
    chosen: dict[AlertMetric, AlertRule] = {}
    for rule in sorted(rows, key=lambda r: r.group_id is None):  # type: ignore[attr-defined]
        chosen.setdefault(AlertMetric(rule.metric), rule)
    for metric in AlertMetric:
        chosen.setdefault(metric, AlertRule(metric=metric))
    return [rule for rule in chosen.values() if rule.enabled]


async def evaluate(group: Group, today: date, events: GroupEvents) -> list[Alert]:
    """Judge `today` for every rule of the community; new alerts are stored and told once."""
    rules = await rules_for(group)
    if not rules:
        return []
    longest = max(r.baseline_days for r in rules)
    rows = {
        (date.fromisoformat(r["day"]) if isinstance(r["day"], str) else r["day"]): r
        for r in await query(
            "SELECT day, reports, leaves, positive, neutral, negative FROM insight_day "
            "WHERE group_id = ? AND day >= ? AND day <= ?",
            [group.id, today - timedelta(days=longest), today],
        )
    }
    raised = []
    for rule in rules:
        metric = AlertMetric(rule.metric)
        now = figure(metric, rows.get(today))
        if now is None:
            continue
        before = [today - timedelta(days=n) for n in range(1, rule.baseline_days + 1)]
        history = [f.value for f in (figure(metric, rows.get(d)) for d in before) if f is not None]
        found = spike(
            history,
            now.value,
            now.count,
            k=rule.k,
            min_count=rule.min_count,
            share=metric == AlertMetric.NEGATIVE_SHARE,
        )
        if found is not None and (alert := await _raise(group, metric, today, found, now.count, events)):
            raised.append(alert)
    return raised


async def _raise(
    group: Group, metric: AlertMetric, day: date, found: Spike, count: int, events: GroupEvents
) -> Alert | None:
    if await Alert.exists(group_id=group.id, metric=metric, day=day):
        return None
    behind = await _behind(group, metric, day)
    try:
        async with in_transaction() as conn:
            alert = await Alert.create(
                group=group,
                metric=metric,
                day=day,
                value=found.value,
                count=count,
                baseline=found.baseline,
                spread=found.spread,
                threshold=found.threshold,
                behind=behind,
                using_db=conn,
            )
            await events.alert_raised.send(AlertRaised(group, metric.value, describe(alert), alert.id), conn)
    except IntegrityError:
        return None  # another process raised it first
    return alert


async def _behind(group: Group, metric: AlertMetric, day: date) -> list[dict[str, Any]]:
    if metric == AlertMetric.NEGATIVE_SHARE:
        posts = await PostFacts.filter(group_id=group.id, day=day, sentiment=Sentiment.NEGATIVE).limit(BEHIND)
        return [{"post": p.post_id} for p in posts]  # type: ignore[attr-defined]
    if metric == AlertMetric.REPORTS:
        reports = await ReportSeen.filter(group_id=group.id, day=day).order_by("id").limit(BEHIND)
        return [{"report": r.report_id} for r in reports]
    first, after = Period(day, day).bounds(group)
    left = await MemberEvent.filter(group_id=group.id, joined=False, at__gte=first, at__lt=after).limit(
        BEHIND
    )
    return [{"actor": e.actor} for e in left]


def describe(alert: Alert) -> str:
    """One line for staff: what rose, how far, against what."""
    if alert.metric == AlertMetric.NEGATIVE_SHARE:
        return (
            f"{alert.value:.0%} of posts and comments read negative on {alert.day} ({alert.count} posts), "
            f"against {alert.baseline:.0%} usually (alert above {alert.threshold:.0%})"
        )
    what = "reports" if alert.metric == AlertMetric.REPORTS else "members left"
    return (
        f"{alert.count} {what} on {alert.day}, against {alert.baseline:.1f} a day usually "
        f"(alert above {alert.threshold:.1f})"
    )
