"""Insights are exact: a community with a known 90-day history (members joining and leaving, threads,
replies, votes cast, changed and withdrawn, in a time zone far from UTC) is counted through the same
listeners the inbox calls, and every figure equals what a direct count over the raw rows gives."""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from fedicom.groups.events import MemberChange, VoteCast
from fedicom.groups.models import Group, Membership, MembershipState, Moderator, Post, Vote
from fedicom.insights.counting import Counter
from fedicom.insights.period import Period
from fedicom.insights.report import Insights, insights, last_days
from tests.support.servers import Instance

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
ZONE = "America/Los_Angeles"
DAYS = 90


def day_of(at: datetime, zone: str = ZONE) -> date:
    return at.astimezone(ZoneInfo(zone)).date()


async def generate(
    inst: Instance,
    rng: random.Random,
    name: str = "history",
    zone: str = ZONE,
    counting: type[Counter] = Counter,
) -> Group:
    """Replay a random but reproducible history through the listeners, oldest first."""
    group = await inst.community(name)
    group.timezone = zone
    await group.save(update_fields=["timezone"])
    counter = counting(inst.groups)
    people = [f"https://s{i % 7}.example/users/p{i}" for i in range(40)]
    await Moderator.create(group=group, actor=people[0])  # the one whose replies are staff's
    events: list[tuple[datetime, str, str]] = []  # (when, what, who)
    for person in people:
        joined = NOW - timedelta(minutes=rng.randrange(DAYS * 1440))
        events.append((joined, "join", person))
        if rng.random() < 0.2:
            events.append((joined + timedelta(minutes=rng.randrange(1, 20 * 1440)), "leave", person))
    for _ in range(300):
        events.append((NOW - timedelta(minutes=rng.randrange(DAYS * 1440)), "post", rng.choice(people)))
    for _ in range(250):
        events.append((NOW - timedelta(minutes=rng.randrange(DAYS * 1440)), "vote", rng.choice(people)))
    posts: list[Post] = []
    for at, what, who in sorted(events):
        if at > NOW:
            continue
        if what == "join":
            member = await Membership.create(
                group=group, actor=who, inbox=f"{who}/inbox", state=MembershipState.ACCEPTED,
                follow_id=f"{who}#f", follow_activity="{}",
            )  # fmt: skip
            await Membership.filter(id=member.id).update(created_at=at)
            await counter.member_joined(MemberChange(group, who, at), None)
        elif what == "leave":
            await Membership.filter(group=group, actor=who).delete()
            await counter.member_left(MemberChange(group, who, at), None)
        elif what == "post":
            parent = rng.choice(posts[-12:]) if posts and rng.random() < 0.6 else None  # replies come soon
            post = await Post.create(
                group=group, object_id=f"{who}/o/{name}/{len(posts)}", type="Note", author=who,
                parent=parent, root_id=(parent.root_id or parent.id) if parent else None,
                title=None if parent else f"Thread {len(posts)}{'?' if rng.random() < 0.3 else ''}",
                content=rng.choice(["<p>Great work, thanks!</p>", "<p>This is awful.</p>", "<p>Ok.</p>"]),
                document={}, published=at,
            )  # fmt: skip
            await Post.filter(id=post.id).update(created_at=at)
            post = await Post.get(id=post.id).prefetch_related("group")
            await counter.count_post(post, None)
            posts.append(post)
        elif posts:
            target = rng.choice(posts)
            old = await Vote.get_or_none(post=target, actor=who)
            value = rng.choice([1, 1, 1, -1])
            if old is not None and rng.random() < 0.4:  # withdrawn
                await old.delete()
                await counter.count_vote(VoteCast(group, target, who, 0, old.value, old.created_at), None)
            elif old is not None:
                await Vote.filter(id=old.id).update(value=value)
                changed = VoteCast(group, target, who, value, old.value, old.created_at)
                await counter.count_vote(changed, None)
            else:
                cast = f"{who}/v/{target.id}"
                vote = await Vote.create(post=target, actor=who, value=value, activity_id=cast)
                await Vote.filter(id=vote.id).update(created_at=at)
                await counter.count_vote(VoteCast(group, target, who, value, None, at), None)
    return group


async def test_every_figure_equals_a_direct_count(instance) -> None:
    inst: Instance = await instance()
    group = await generate(inst, random.Random(7))
    found = await insights(group, days=30, now=NOW)
    assert min(found.posts, found.comments, found.votes, found.joins, found.leaves) > 0  # a history to check
    await assert_direct_counts(group, found)


async def assert_direct_counts(group: Group, found: Insights) -> None:
    """Every figure of the last 30 days before NOW of a history like `generate`'s, against a direct
    count over the raw rows (test_rebuild.py checks a rebuilt community with it)."""
    period = last_days(group, 30, NOW)
    inside = lambda d: period.start <= d <= period.end  # noqa: E731

    posts = await Post.filter(group=group).order_by("created_at")
    votes = await Vote.filter(post__group=group).prefetch_related("post")
    assert found.posts == sum(1 for p in posts if p.parent_id is None and inside(day_of(p.created_at)))
    assert found.comments == sum(1 for p in posts if p.parent_id is not None and inside(day_of(p.created_at)))
    assert found.votes == sum(1 for v in votes if inside(day_of(v.created_at)))
    assert found.members == await Membership.filter(group=group).count()

    # active members: anyone with a post, comment or standing vote on a day of the window
    days_of: dict[str, set[date]] = defaultdict(set)
    for p in posts:
        days_of[p.author].add(day_of(p.created_at))
    for v in votes:
        days_of[v.actor].add(day_of(v.created_at))
    today = period.end
    for n in (1, 7, 30):
        first = today - timedelta(days=n - 1)
        expected = sum(1 for ds in days_of.values() if any(first <= d <= today for d in ds))
        assert found.active_members[f"{n}d"] == expected, n

    # new contributors: first post or comment inside the period
    firsts: dict[str, date] = {}
    for p in posts:
        firsts.setdefault(p.author, day_of(p.created_at))
    assert found.new_contributors == sum(1 for d in firsts.values() if inside(d))

    assert_threads(found, posts, period)
    assert sum(found.first_reply.values()) > 20 and found.unanswered_24h > 0  # a history to check
    for days in (7, 90):  # a week reads the recent threads one by one; 90 days mostly their daily sums
        assert_threads(await insights(group, days=days, now=NOW), posts, last_days(group, days, NOW))

    # contributors in the period, and influencers over all time (distinct repliers and standing voters)
    for row in found.top_contributors:
        mine = [p for p in posts if p.author == row["actor"] and inside(day_of(p.created_at))]
        assert row["posts"] == sum(1 for p in mine if p.parent_id is None)
        assert row["comments"] == sum(1 for p in mine if p.parent_id is not None)
        cast = [v for v in votes if v.actor == row["actor"] and inside(day_of(v.created_at))]
        assert row["votes"] == len(cast)
    by_id = {p.id: p for p in posts}
    engaged: dict[str, set[str]] = defaultdict(set)
    for p in posts:
        if p.parent_id is not None and by_id[p.parent_id].author != p.author:
            engaged[by_id[p.parent_id].author].add(p.author)
    for v in votes:
        if v.post.author != v.actor:
            engaged[v.post.author].add(v.actor)
    assert len(found.influencers) == 10 and len(found.top_contributors) == 10
    for row in found.influencers:
        assert row["engagers"] == len(engaged[row["actor"]]), row["actor"]
    best = sorted(engaged.items(), key=lambda kv: (-len(kv[1]), kv[0]))[: len(found.influencers)]
    assert [a for a, _ in best] == [row["actor"] for row in found.influencers]

    # the member series ends at today's count and moves by each day's joins and leaves
    assert found.days[-1]["members"] == found.members
    for before, after in zip(found.days, found.days[1:], strict=False):
        assert after["members"] - before["members"] == after["joins"] - after["leaves"]


def assert_threads(found: Insights, posts: list[Post], period: Period) -> None:
    """Responsiveness and interaction of the threads started in the period, counted from the posts."""
    staff = "https://s0.example/users/p0"
    threads = [p for p in posts if p.parent_id is None and period.start <= day_of(p.created_at) <= period.end]
    waits, unanswered, bands = [], 0, dict.fromkeys(found.first_reply, 0)
    participants, depths, questions, by_staff = 0, [], 0, 0
    by_id = {p.id: p for p in posts}

    def depth(p: Post) -> int:
        return 0 if p.parent_id is None else 1 + depth(by_id[p.parent_id])

    for t in threads:
        replies = [p for p in posts if p.root_id == t.id]
        answers = [p for p in replies if p.author != t.author]
        first_reply = min((p.created_at for p in answers), default=None)
        if first_reply is not None:
            minutes = (first_reply - t.created_at).total_seconds() // 60
            waits.append(minutes)
            bands[next(b for limit, b in BANDS if minutes < limit)] += 1
        else:
            bands["none"] += 1
        if t.created_at < NOW - timedelta(hours=24) and (
            first_reply is None or first_reply - t.created_at >= timedelta(hours=24)
        ):
            unanswered += 1
        participants += len({t.author, *(p.author for p in replies)})
        depths.append(max((depth(p) for p in replies), default=0))
        if "?" in (t.title or ""):
            questions += 1
            by_staff += any(p.author == staff for p in answers)
    assert threads and waits
    assert found.first_reply_minutes_median == statistics.median(waits)
    assert found.unanswered_24h == unanswered
    assert found.first_reply == bands
    assert found.interaction == {
        "threads": len(threads),
        "participants_mean": round(participants / len(threads), 2),
        "depth_max": max(depths),
        "depth_mean": round(sum(depths) / len(threads), 2),
    }
    assert found.questions["asked"] == questions
    assert found.questions["answered_by_staff"] == by_staff


BANDS = ((60, "under_1h"), (240, "1h_to_4h"), (1440, "4h_to_24h"), (float("inf"), "over_24h"))
