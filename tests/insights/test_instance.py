"""The instance's insights (for admins) are its communities' together: sums where figures add up,
people counted once where they do not (active members, new contributors), and the median of every
thread's wait, each community's days in its own calendar."""

from __future__ import annotations

import random
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta

from fedicom.groups.models import Group, Post, Vote
from fedicom.insights.report import insights, instance_insights, last_days
from tests.insights.test_history import NOW, ZONE, day_of, generate
from tests.support.servers import Instance

PARIS = "Europe/Paris"  # the same date as Los Angeles and UTC at NOW, so the periods line up


async def _waits(group: Group, zone: str, first: date, last: date) -> list[float]:
    posts = await Post.filter(group=group)
    waits = []
    for t in (p for p in posts if p.parent_id is None and first <= day_of(p.created_at, zone) <= last):
        answers = [p.created_at for p in posts if p.root_id == t.id and p.author != t.author]
        if answers:
            waits.append((min(answers) - t.created_at).total_seconds() // 60)
    return waits


async def test_the_instance_is_its_communities_together(instance) -> None:
    inst: Instance = await instance()
    la = await generate(inst, random.Random(7))
    paris = await generate(inst, random.Random(8), "paris", PARIS)
    found = await instance_insights(30, now=NOW)
    each = [await insights(la, 30, now=NOW), await insights(paris, 30, now=NOW)]
    period = last_days(la, 30, NOW)
    assert (found.scope, found.community) == ("instance", "")
    assert found.period == each[0].period == each[1].period

    for key in ("members", "joins", "leaves", "posts", "comments", "votes", "reports", "unanswered_24h"):
        assert getattr(found, key) == sum(getattr(one, key) for one in each), key
    assert found.first_reply == {k: sum(one.first_reply[k] for one in each) for k in found.first_reply}
    assert found.interaction["threads"] == sum(one.interaction["threads"] for one in each)
    assert found.questions["asked"] == sum(one.questions["asked"] for one in each)
    assert found.stages == {k: sum(one.stages[k] for one in each) for k in found.stages}
    for day, *days in zip(found.days, each[0].days, each[1].days, strict=True):
        assert day["posts"] == sum(d["posts"] for d in days)
        assert day["members"] == sum(d["members"] for d in days)

    waits = [
        *await _waits(la, ZONE, period.start, period.end),
        *await _waits(paris, PARIS, period.start, period.end),
    ]
    assert found.first_reply_minutes_median == statistics.median(waits)

    # people, once: the same people belong to both communities
    active: dict[str, set[date]] = defaultdict(set)
    for group, zone in ((la, ZONE), (paris, PARIS)):
        for p in await Post.filter(group=group):
            active[p.author].add(day_of(p.created_at, zone))
        for v in await Vote.filter(post__group=group):
            active[v.actor].add(day_of(v.created_at, zone))
    for n in (7, 30):
        first = period.end - timedelta(days=n - 1)
        expected = sum(1 for days in active.values() if any(first <= d <= period.end for d in days))
        assert found.active_members[f"{n}d"] == expected
    assert found.active_members["30d"] < sum(one.active_members["30d"] for one in each)

    # top contributors add up across communities; influencers are a community's, named
    written: Counter[str] = Counter()
    for group, zone in ((la, ZONE), (paris, PARIS)):
        for p in await Post.filter(group=group):
            written[p.author] += period.start <= day_of(p.created_at, zone) <= period.end
    best = sorted((a for a in written if written[a]), key=lambda a: (-written[a], a))[:10]
    assert [(r["actor"], r["posts"] + r["comments"]) for r in found.top_contributors] == [
        (a, written[a]) for a in best
    ]
    rows = sorted(
        (r for one in each for r in one.influencers),
        key=lambda r: (-r["engagers"], r["actor"], r["community"]),
    )
    assert [(r["actor"], r["community"]) for r in found.influencers] == [
        (r["actor"], r["community"]) for r in rows[:10]
    ]
