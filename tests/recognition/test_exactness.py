"""Reputation is exact: a community with a known history (threads, replies, votes cast, changed and
withdrawn, posts removed and deleted, in a time zone far from UTC) is credited through the same
listeners the inbox calls; every member's points and badges equal a direct count over the raw rows, and
`fedicom reputation rebuild` writes the very same credits again."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fedicom.groups.events import VoteCast
from fedicom.groups.models import Group, Post, PostState, Vote
from fedicom.recognition import ledger, rules
from fedicom.recognition.models import Credit
from fedicom.recognition.rebuild import rebuild
from fedicom.recognition.rules import Badge, Tally
from fedicom.recognition.standing import leaderboard, standings, tallies
from tests.support.servers import Instance

NOW = datetime(2026, 11, 12, 15, 0, tzinfo=UTC)
ZONE = "Pacific/Auckland"
DAYS = 75


async def generate(inst: Instance, rng: random.Random, name: str = "rep") -> Group:
    """A random but reproducible history replayed through the listeners, oldest first."""
    group = await inst.community(name, title="Reputation")
    group.timezone = ZONE
    await group.save(update_fields=["timezone"])
    people = [f"https://s{i % 5}.example/users/p{i}" for i in range(16)]
    events = sorted(
        [
            (NOW - timedelta(minutes=rng.randrange(DAYS * 1440)), "post", rng.choice(people))
            for _ in range(120)
        ]
        + [
            (NOW - timedelta(minutes=rng.randrange(DAYS * 1440)), "vote", rng.choice(people))
            for _ in range(260)
        ]
    )
    posts: list[Post] = []
    for at, what, who in events:
        if what == "post":
            parent = rng.choice(posts[-10:]) if posts and rng.random() < 0.6 else None
            post = await Post.create(
                group=group, object_id=f"{who}/o/{len(posts)}", type="Note", author=who, parent=parent,
                root_id=(parent.root_id or parent.id) if parent else None, title=None if parent else "T",
                document={}, published=at,
            )  # fmt: skip
            await Post.filter(id=post.id).update(created_at=at)
            post = await Post.get(id=post.id)
            await ledger.post_stored(post, None)
            posts.append(post)
        elif posts:
            target = rng.choice(posts)
            old = await Vote.get_or_none(post=target, actor=who)
            value = rng.choice([1, 1, -1])
            if old is not None and rng.random() < 0.4:  # withdrawn (Undo)
                await old.delete()
                await ledger.vote_changed(VoteCast(group, target, who, 0, old.value, old.created_at), None)
            elif old is not None:
                await Vote.filter(id=old.id).update(value=value)
                await ledger.vote_changed(
                    VoteCast(group, target, who, value, old.value, old.created_at), None
                )
            else:
                vote = await Vote.create(
                    post=target, actor=who, value=value, activity_id=f"{who}/v/{target.id}"
                )
                await Vote.filter(id=vote.id).update(created_at=at)
                await ledger.vote_changed(VoteCast(group, target, who, value, None, at), None)
    for post in rng.sample(posts, 12):  # moderators remove some, authors delete others
        if rng.random() < 0.5:
            await Post.filter(id=post.id).update(state=PostState.REMOVED)
        else:
            await Post.filter(id=post.id).update(deleted=True)
    return group


def shown(post: Post) -> bool:
    return not post.deleted and post.state == PostState.VISIBLE


async def direct(
    group: Group, since: datetime | None = None, until: datetime | None = None
) -> dict[str, Tally]:
    """Each author's tally straight from posts and votes, by the rules as docs/recognition.md says them."""
    posts = {p.id: p for p in await Post.filter(group=group)}
    sums: dict[str, Tally] = defaultdict(Tally)
    inside = lambda at: since is None or until is None or since <= at < until  # noqa: E731
    for vote in await Vote.filter(post__group=group):
        post = posts[vote.post_id]  # type: ignore[attr-defined]
        if shown(post) and vote.actor != post.author and inside(vote.created_at):
            sums[post.author] += Tally(up=1) if vote.value > 0 else Tally(down=1)
    first: dict[tuple[int, str], datetime] = {}
    for reply in posts.values():
        thread = posts.get(reply.root_id or reply.parent_id or 0)  # type: ignore[attr-defined]
        if thread is None or not shown(thread) or not shown(reply) or reply.author == thread.author:
            continue
        if until is None or reply.created_at < until:
            key = (thread.id, reply.author)
            first[key] = min(reply.created_at, first.get(key, reply.created_at))
    for (thread_id, _), at in first.items():
        if since is None or at >= since:
            sums[posts[thread_id].author] += Tally(repliers=1)
    return dict(sums)


async def credits(group: Group) -> list[tuple[object, ...]]:
    rows = await Credit.filter(group=group).values_list(
        "post_id", "source_id", "kind", "giver", "value", "at"
    )
    return sorted(rows, key=repr)


async def test_points_equal_a_direct_count_and_a_rebuild_writes_the_same_credits(instance) -> None:
    inst: Instance = await instance()
    group = await generate(inst, random.Random(13))
    expected = await direct(group)
    assert sum(t.up for t in expected.values()) > 20 and sum(t.down for t in expected.values()) > 5
    assert sum(t.repliers for t in expected.values()) > 20  # a history worth checking

    found = await tallies(group)
    assert {a: t for a, t in found.items() if t != Tally()} == expected
    board = {s.actor: s.points for s in await leaderboard(group, now=NOW)}
    assert {a: p for a, p in board.items() if p} == {
        a: rules.points(t) for a, t in expected.items() if rules.points(t)
    }

    live = await credits(group)
    await Credit.filter(group=group, kind="vote").limit(30).delete()  # lost, or never counted
    done = await rebuild(group)
    assert done.votes == await Vote.filter(post__group=group).count()
    assert await credits(group) == live


async def test_top_contributor_of_last_month_in_the_community_time_zone(instance) -> None:
    inst: Instance = await instance()
    group = await generate(inst, random.Random(5))
    zone = ZoneInfo(ZONE)
    start, end = rules.previous_month(NOW.astimezone(zone).date())
    since = datetime(start.year, start.month, 1, tzinfo=zone)
    until = datetime(end.year, end.month, 1, tzinfo=zone)
    month = {a: rules.points(t) for a, t in (await direct(group, since, until)).items()}
    winners = rules.top_of(month)
    assert winners  # someone earned points last month

    found = await standings(group, now=NOW)
    assert {a for a, s in found.items() if Badge.TOP_OF_MONTH in s.badges} == winners


async def test_votes_arriving_and_undone_move_points_at_once(instance) -> None:
    """A vote counts the moment it is stored and its Undo takes the point back; self-votes never count."""
    inst: Instance = await instance()
    group = await inst.community("small")
    alice, bob = "https://a.example/users/alice", "https://b.example/users/bob"
    post = await Post.create(group=group, object_id=f"{alice}/1", type="Page", author=alice, title="Hi",
                             document={}, published=NOW)  # fmt: skip

    async def points() -> int:
        return (await tallies(group)).get(alice, Tally()).up

    await ledger.vote_changed(VoteCast(group, post, bob, 1, None, NOW), None)
    await ledger.vote_changed(VoteCast(group, post, alice, 1, None, NOW), None)
    assert await points() == 1
    await ledger.vote_changed(VoteCast(group, post, bob, 0, 1, NOW), None)
    assert await points() == 0


async def test_accepted_answers_and_completed_ideas_give_their_points_and_badges(instance) -> None:
    """What the Q&A and idea board areas call: +15 per accepted answer (never one's own), +20 per idea
    completed, each taken back when undone, with the badges that go with them."""
    inst: Instance = await instance()
    group = await inst.community("qa")
    alice, bob = "https://a.example/users/alice", "https://b.example/users/bob"
    question = await Post.create(group=group, object_id=f"{bob}/q", type="Page", author=bob, title="How?",
                                 document={}, published=NOW)  # fmt: skip
    answer = await Post.create(group=group, object_id=f"{alice}/a", type="Note", author=alice,
                               parent=question, root=question, document={}, published=NOW)  # fmt: skip
    idea = await Post.create(group=group, object_id=f"{alice}/i", type="Page", author=alice, title="Idea",
                             document={}, published=NOW)  # fmt: skip

    async def alice_now() -> tuple[int, set[Badge]]:
        found = (await standings(group, [alice], now=NOW))[alice]
        return found.points, set(found.badges)

    await ledger.answer_accepted(answer, by=bob, at=NOW)
    await ledger.answer_accepted(answer, by=bob, at=NOW)  # twice: once
    await ledger.idea_completed(idea, at=NOW)
    both = {Badge.ACCEPTED_ANSWER, Badge.IDEA_SHIPPED, Badge.FIRST_CONTRIBUTION}
    assert await alice_now() == (15 + 20, both)
    await ledger.answer_unaccepted(answer)
    await ledger.idea_reopened(idea)
    assert await alice_now() == (0, {Badge.FIRST_CONTRIBUTION})
    await ledger.answer_accepted(question, by=bob, at=NOW)  # bob accepting his own post: nothing
    assert (await tallies(group)).get(bob, Tally()) == Tally()
