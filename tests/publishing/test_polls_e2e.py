"""Polls end to end: a staff poll reaches members, is voted on from two member servers as Mastodon
votes (`Create{Note}` with the option's `name`, to the author's inbox), a second vote and a late vote
are refused, and the author's `Update{Question}` carries the counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fedicom.errors import BadRequest
from fedicom.groups.models import Post
from fedicom.jobs.models import Job
from fedicom.publishing.compose import Author
from fedicom.publishing.models import PollVote
from fedicom.publishing.polls import RESULTS_EVERY, RESULTS_KIND, create_poll, parse_duration
from fedicom.web.appstate import app_state
from tests.moderation.helpers import community_with_moderator
from tests.support.peer import Peer, Person
from tests.support.steps import announced, boosts, due_now, join, processed


async def vote(p: Peer, voter: Person, poll: dict[str, Any], choice: str) -> str | None:
    """Vote as Mastodon does; returns the error the server recorded, None when it counted."""
    note = {
        "id": f"{voter.uri}#votes/{choice}-{len(p.received)}",
        "type": "Note",
        "name": choice,
        "attributedTo": voter.uri,
        "inReplyTo": poll["id"],
        "to": poll["attributedTo"],
    }
    create = p.activity("Create", voter, note, to=poll["attributedTo"])
    status, body = await p.post(voter, f"{poll['attributedTo']}/inbox", create)
    assert status == 202, body
    return (await processed(create["id"])).error


def counts(question: dict[str, Any]) -> dict[str, int]:
    return {o["name"]: o["replies"]["totalItems"] for o in question["oneOf"]}


async def test_a_poll_is_voted_on_from_two_servers_once_each_and_closes(
    instance, peer: Peer, far_peer: Peer
) -> None:
    inst = await instance(hostname="localhost")
    group, mia = await community_with_moderator(inst)
    alice, carol = peer.person("alice"), far_peer.person("carol")
    await join(peer, alice, group)
    await join(far_peer, carol, group)
    author = Author(mia, inst.files)
    news = await inst.groups.group("news")
    post = await create_poll(inst.groups, author, news, "Which colour next?", ["Red", "Blue", "Green"])

    # members see the Question: the Lemmy family inside Announce{Create}, Mastodon as a boost
    [wrapped] = await peer.wait_for(lambda: announced(peer, "Create", post.object_id))
    question = wrapped["object"]["object"]
    assert question["type"] == "Question" and question["attributedTo"] == mia
    assert counts(question) == {"Red": 0, "Blue": 0, "Green": 0} and "endTime" in question
    await far_peer.wait_for(lambda: boosts(far_peer, post.object_id))

    # carol (Mastodon-like) and alice (another server) vote: both count
    assert await vote(far_peer, carol, question, "Blue") is None
    assert await vote(peer, alice, question, "Blue") is None
    # carol votes again, and for an option that does not exist: refused with the reason
    assert (
        await vote(far_peer, carol, question, "Red")
        == "this voter has already voted in the poll (one choice only)"
    )
    assert await vote(peer, alice, question, "Purple") == "the poll has no option 'Purple'"
    assert await PollVote.filter(post_id=post.id).count() == 2

    # our page counts at once; members' servers get one Update for the minute's votes, not one each
    assert counts((await Post.get(id=post.id)).document) == {"Red": 0, "Blue": 2, "Green": 0}
    [window] = await Job.filter(kind=RESULTS_KIND, key__not=f"poll:{post.id}:closed")
    assert window.next_try_at - datetime.now(UTC).timestamp() <= RESULTS_EVERY
    assert far_peer.received_of("Update") == []

    def latest(p: Peer, closed: bool = False) -> list[dict[str, Any]]:
        return [
            a["object"]
            for a in p.received_of("Update")
            if a["actor"] == mia
            and a["object"].get("votersCount") == 2
            and ("closed" in a["object"]) == closed
        ]

    # the minute passes: the author's Update carries the counts (Mastodon directly, Lemmy announced)
    await Job.filter(id=window.id).update(next_try_at=datetime.now(UTC).timestamp())
    app_state(inst.app).jobs.wake()
    [update] = await far_peer.wait_for(lambda: latest(far_peer))
    assert counts(update) == {"Red": 0, "Blue": 2, "Green": 0}
    await peer.wait_for(lambda: announced(peer, "Update", post.object_id))

    # once closed, a vote is refused, and the closing Update tells members' servers it is over
    stored = await Post.get(id=post.id)
    past = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    await Post.filter(id=post.id).update(document={**stored.document, "endTime": past})
    assert await vote(peer, peer.person("bob"), question, "Red") == "the poll is closed"
    assert await PollVote.filter(post_id=post.id).count() == 2
    await due_now(inst, RESULTS_KIND)
    [final] = await far_peer.wait_for(lambda: latest(far_peer, closed=True))
    assert final["closed"] == past and counts(final) == {"Red": 0, "Blue": 2, "Green": 0}


async def test_a_multiple_choice_poll_counts_each_option_once_per_voter(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    group, mia = await community_with_moderator(inst)
    alice = peer.person("alice")
    await join(peer, alice, group)
    news = await inst.groups.group("news")
    post = await create_poll(
        inst.groups,
        Author(mia, inst.files),
        news,
        "Which days?",
        ["Mon", "Fri"],
        multiple=True,
    )
    question = post.document
    assert "anyOf" in question and "oneOf" not in question
    assert await vote(peer, alice, question, "Mon") is None
    assert await vote(peer, alice, question, "Fri") is None
    assert await vote(peer, alice, question, "Fri") == "this voter has already chosen this option"
    doc = (await Post.get(id=post.id)).document
    assert {o["name"]: o["replies"]["totalItems"] for o in doc["anyOf"]} == {"Mon": 1, "Fri": 1}
    assert doc["votersCount"] == 1


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        (["Only one"], "a poll needs 2 to 10 options"),
        (["Same", "same"], "two options are the same"),
        (["A", ""], "each option needs 1 to 100 characters"),
    ],
)
async def test_bad_polls_are_refused_and_nothing_is_stored(instance, options: list[str], reason: str) -> None:
    inst = await instance(hostname="localhost")
    _, mia = await community_with_moderator(inst)
    news = await inst.groups.group("news")
    with pytest.raises(BadRequest, match=reason):
        await create_poll(inst.groups, Author(mia, inst.files), news, "Q?", options)
    assert await Post.all().count() == 0


def test_durations() -> None:
    assert parse_duration("30m") == timedelta(minutes=30)
    assert parse_duration("3d") == timedelta(days=3)
    for bad, reason in [
        ("1m", "between 5 minutes and 90 days"),
        ("soon", "not a duration"),
        ("13w", "between"),
    ]:
        with pytest.raises(BadRequest, match=reason):
            parse_duration(bad)
