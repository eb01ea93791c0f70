"""Crisis alerts: 90 days of steady traffic raise none; a day of negative posts, one of reports and one
of leaves each raise their alert once, with what is behind it, and the community's staff are told."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from fedicom.groups.events import MemberChange, ReportFiled
from fedicom.groups.models import Group, Post
from fedicom.insights import alerts
from fedicom.insights.clock import Clock
from fedicom.insights.counting import Counter, add_day, local_day
from fedicom.insights.db import db
from fedicom.insights.models import Alert, AlertMetric
from fedicom.insights.scoring import Thresholds
from fedicom.notifications.models import Notification, NotificationKind
from fedicom.staff.accounts import create_staff
from tests.moderation.helpers import PASSWORD
from tests.support.servers import Instance

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth): steady traffic has this much noise."""
    limit, k, p = pow(2.718281828, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


async def steady(group: Group, rng: random.Random, days: int, until: date) -> None:
    """`days` ordinary days before `until`: ~20 scored posts a day, 15 % negative, a report, two leaves."""
    for n in range(days, 0, -1):
        negative = sum(1 for _ in range(20) if rng.random() < 0.15)
        counts = {"negative": negative, "neutral": 20 - negative - 5, "positive": 5}
        counts |= {"reports": poisson(rng, 1.0), "leaves": poisson(rng, 2.0), "posts": 20}
        await add_day(db(), group, until - timedelta(days=n), **counts)


def test_a_spike_is_a_value_well_above_the_baseline() -> None:
    flat = [2.0] * 28
    assert alerts.spike(flat, 9, 9, k=4, min_count=5, share=False) is not None  # floor: sqrt(2)
    assert alerts.spike(flat, 7, 7, k=4, min_count=5, share=False) is None  # within 2 + 4 x 1.41
    assert alerts.spike(flat, 30, 4, k=4, min_count=5, share=False) is None  # too few events
    assert alerts.spike(flat[:6], 30, 30, k=4, min_count=5, share=False) is None  # too little history
    shares = [0.15, 0.1, 0.2] * 9
    found = alerts.spike(shares, 0.6, 12, k=4, min_count=5, share=True)
    assert found is not None and found.threshold == pytest.approx(0.15 + 4 * 0.05)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_steady_traffic_raises_no_alert_in_90_days(instance, seed: int) -> None:
    inst: Instance = await instance()
    group = await inst.community("calm")
    today = local_day(NOW, group)
    await steady(group, random.Random(seed), 90, today + timedelta(days=1))
    raised = []
    for n in range(62, -1, -1):  # every day once it has a 28-day baseline
        raised += await alerts.evaluate(group, today - timedelta(days=n), inst.groups.events)
    assert raised == []


async def test_spikes_raise_their_alerts_with_what_is_behind_them(instance) -> None:
    inst: Instance = await instance()
    await create_staff("mia", PASSWORD, is_admin=True)  # told: the community has no moderator of its own
    group = await inst.community("brand")
    counter = Counter(inst.groups)
    now = datetime.now(UTC)
    today = local_day(now, group)
    await steady(group, random.Random(4), 40, today)
    # today: a wave of angry posts, reports and members leaving
    for i in range(12):
        post = await Post.create(
            group=group, object_id=f"https://x.example/o/{i}", type="Note", author=f"https://x.example/u/{i}",
            title="Broken again", content="<p>Terrible update, it broke everything. Awful support.</p>",
            document={}, published=now,
        )  # fmt: skip
        post.group = group
        await counter.count_post(post, None)
    for i in range(9):
        filed = ReportFiled(1000 + i, group, f"https://x.example/u/{i}", "spam", now)
        await counter.report_filed(filed, None)
    for i in range(15):
        await counter.member_left(MemberChange(group, f"https://y.example/u/{i}", now), None)

    clock = Clock(inst.groups, Thresholds())
    assert await clock.tick(now) == 3
    assert await clock.tick(now) == 0  # once per metric and day
    raised = {a.metric: a for a in await Alert.filter(group=group)}
    assert set(raised) == set(AlertMetric)
    negative = raised[AlertMetric.NEGATIVE_SHARE]
    assert negative.count == 12 and negative.value == 1.0  # every post of the day read negative
    assert sorted(b["post"] for b in negative.behind) == sorted(
        await Post.filter(group=group).values_list("id", flat=True)
    )
    assert sorted(b["report"] for b in raised[AlertMetric.REPORTS].behind) == list(range(1000, 1009))
    assert len(raised[AlertMetric.LEAVES].behind) == 15
    told = await Notification.filter(kind=NotificationKind.ALERT)
    assert len(told) == 3 and all("/staff/communities/brand/insights#alert-" in n.url for n in told)
    assert "read negative" in alerts.describe(negative)
