"""Insights count what really arrives: members of a loopback server join, post, reply, vote, change and
withdraw votes, and leave, through the signed inbox; every figure is then checked against a direct
count over the stored rows and against what the test sent."""

from __future__ import annotations

from datetime import UTC, datetime

from fedicom.groups.models import Group, Post, Vote
from fedicom.insights.models import MemberEvent, PostFacts, Sentiment, ThreadFacts
from fedicom.insights.report import insights
from tests.support.peer import Peer
from tests.support.servers import Instance
from tests.support.steps import counted, join, reply, send, thread


async def vote(peer: Peer, inst: Instance, who, kind: str, object_id: str) -> dict:  # type: ignore[no-untyped-def]
    like = peer.activity(kind, who, object_id)
    await send(peer, who, f"{inst.base}/c/brand/inbox", like)
    return like


async def test_a_conversation_is_counted_as_it_arrives(instance, peer: Peer) -> None:
    inst: Instance = await instance()
    await inst.community("brand")
    group_uri = f"{inst.base}/c/brand"
    alice, bob, carol = peer.person("alice"), peer.person("bob"), peer.person("carol")
    for person in (alice, bob, carol):
        await join(peer, person, group_uri)

    question, _ = await thread(peer, alice, group_uri, "<p>Does the new battery last a full day?</p>")
    praise, _ = await thread(peer, carol, group_uri, "<p>I love this community, the support is great!</p>")
    sadly = "<p>Mine lasts about a day, sadly not more.</p>"
    answer, _ = await reply(peer, bob, group_uri, question["id"], sadly)
    deeper, _ = await reply(peer, carol, group_uri, answer["id"], "<p>Terrible battery here, it broke.</p>")
    await reply(peer, alice, group_uri, answer["id"], "<p>Danke, das hilft mir sehr.</p>")

    await vote(peer, inst, bob, "Like", question["id"])
    await vote(peer, inst, carol, "Like", question["id"])
    await vote(peer, inst, carol, "Dislike", question["id"])  # carol changes her mind: one vote still
    await vote(peer, inst, alice, "Like", answer["id"])
    withdrawn = await vote(peer, inst, alice, "Like", praise["id"])
    await send(peer, alice, f"{group_uri}/inbox", peer.activity("Undo", alice, withdrawn))
    follow = peer.activity("Follow", bob, group_uri)
    await send(peer, bob, f"{group_uri}/inbox", peer.activity("Undo", bob, follow))

    group = await Group.get(name="brand")
    await counted()
    found = await insights(group, days=7)

    # against the stored rows
    assert found.posts == await Post.filter(group=group, parent_id=None).count() == 2
    assert found.comments == await Post.filter(group=group, parent_id__not_isnull=True).count() == 3
    assert found.votes == await Vote.filter(post__group=group).count() == 3
    assert found.joins == await MemberEvent.filter(group=group, joined=True).count() == 3
    assert found.leaves == 1
    assert found.members == 2
    assert found.active_members == {"1d": 3, "7d": 3, "30d": 3}
    assert found.new_contributors == 3
    # who did what
    assert found.stages == {"following": 0, "first_contribution": 2, "regular": 0, "passionate": 0}
    top = {row["actor"]: (row["posts"], row["comments"], row["votes"]) for row in found.top_contributors}
    assert top == {alice.uri: (1, 1, 1), carol.uri: (1, 1, 1), bob.uri: (0, 1, 1)}
    influencers = {row["actor"]: row["engagers"] for row in found.influencers}
    assert influencers == {alice.uri: 2, bob.uri: 2}  # the withdrawn vote on carol's post no longer counts
    assert [(row["actor"], row["comment_up_received"]) for row in found.experts] == [(bob.uri, 1)]
    # responsiveness and interaction
    facts = await ThreadFacts.get(post__object_id=question["id"])
    assert (facts.replies, facts.participants, facts.depth, facts.question) == (3, 3, 2, True)
    assert found.first_reply_minutes_median == 0
    assert found.first_reply["under_1h"] == 1 and found.first_reply["none"] == 1
    assert found.questions["asked"] == 1 and found.questions["answered_by_staff"] == 0
    assert found.interaction == {"threads": 2, "participants_mean": 2.0, "depth_max": 2, "depth_mean": 1.0}
    # sentiment: English scored, German counted as not scored
    facts = await PostFacts.filter(group=group).prefetch_related("post")
    moods = {p.post.object_id: p.sentiment for p in facts}
    assert moods[praise["id"]] == Sentiment.POSITIVE
    assert moods[deeper["id"]] == Sentiment.NEGATIVE
    assert sum(1 for m in moods.values() if m == Sentiment.NOT_SCORED) == 1
    today = found.sentiment[-1]
    assert today["day"] == datetime.now(UTC).date().isoformat()
    assert sum(today[k] for k in ("positive", "neutral", "negative", "not_scored")) == 5
    assert found.health["score"] is not None
