"""Accepted answers end to end on loopback with real signed HTTP: a Lemmy-shaped member asks, a
Mastodon-shaped member answers, staff accept, and both servers receive the distinguished staff reply
naming the answer; the asker's `!accept` reply accepts another answer, anyone else's is ignored; bad
input is refused with a reason and changes nothing."""

from __future__ import annotations

import pytest

from fedicom.activitypub.models import OutgoingActivity
from fedicom.answers.accepting import accept, unaccept
from fedicom.answers.models import AcceptedAnswer
from fedicom.errors import BadRequest, FedicomError
from fedicom.groups.models import Post
from fedicom.publishing.compose import Author, find_post
from fedicom.recognition.models import Credit, CreditKind
from tests.moderation.helpers import community_with_moderator
from tests.support.peer import Peer
from tests.support.steps import announced, join, post_of, reply, thread, until


async def credited() -> list[int]:
    """The posts holding an accepted-answer credit."""
    return sorted(c.post_id for c in await Credit.filter(kind=CreditKind.ANSWER))  # type: ignore[attr-defined]


async def test_an_accepted_answer_reaches_lemmy_and_mastodon_members_and_the_asker_can_accept(
    instance, peer: Peer, far_peer: Peer
) -> None:
    # Given a questions community, a question from a Lemmy-shaped member and an answer from a Mastodon one
    inst = await instance(hostname="localhost")
    group, mia = await community_with_moderator(inst, "help", kind="questions")
    alice, carol, dan = peer.person("alice"), far_peer.person("carol"), far_peer.person("dan")
    for p, person in ((peer, alice), (far_peer, carol), (far_peer, dan)):
        await join(p, person, group)
    asked, _ = await thread(peer, alice, group, "<p>How do I reset my password?</p>", name="Reset?")
    answered, _ = await reply(far_peer, carol, group, asked["id"], "<p>Use the link on the sign-in page.</p>")
    question, answer = await post_of(asked["id"]), await post_of(answered["id"])

    # When mia accepts carol's reply
    done = await accept(inst.groups, Author(mia, inst.files), answer)

    # Then both servers receive her distinguished reply on the question, naming the answer
    notice = done.notice
    [wrapped] = await peer.wait_for(lambda: announced(peer, "Create", notice))
    note = wrapped["object"]["object"]
    assert note["attributedTo"] == mia and note["inReplyTo"] == asked["id"] and note["distinguished"] is True
    assert "Accepted answer by @carol@" in note["content"] and answered["id"] in note["content"]
    await far_peer.wait_for(lambda: announced(far_peer, "Create", notice))
    row = await AcceptedAnswer.get(question_id=question.id)
    assert (row.answer_id, row.accepted_by) == (answer.id, mia)  # type: ignore[attr-defined]
    assert await credited() == [answer.id]

    # When dan (not the asker) replies "!accept" to his own answer, nothing changes
    other, _ = await reply(far_peer, dan, group, asked["id"], "<p>Or ask an admin.</p>")
    await reply(far_peer, dan, group, other["id"], "<p>!accept</p>")
    assert (await AcceptedAnswer.get(question_id=question.id)).answer_id == answer.id  # type: ignore[attr-defined]
    # nor does the asker's ordinary reply that merely contains the word
    await reply(peer, alice, group, other["id"], "<p>Thanks, I will !accept this later</p>")
    assert (await AcceptedAnswer.get(question_id=question.id)).answer_id == answer.id  # type: ignore[attr-defined]

    # When alice replies to dan's answer with exactly "!accept" (after a Mastodon-style mention)
    mention = (
        '<p><span class="h-card"><a href="x" class="u-url mention">@<span>dan</span></a></span> !accept</p>'
    )
    await reply(peer, alice, group, other["id"], mention)
    # Then dan's reply is the answer now, and the credit moved with it
    second = await post_of(other["id"])
    row = await until(lambda: AcceptedAnswer.get(question_id=question.id))
    assert (row.answer_id, row.accepted_by) == (second.id, alice.uri)  # type: ignore[attr-defined]
    assert await credited() == [second.id]

    # When alice accepts her own reply, it is the answer but earns her nothing
    own, _ = await reply(peer, alice, group, asked["id"], "<p>Found it myself: clear the cache.</p>")
    await reply(peer, alice, group, own["id"], "<p>!accept</p>")
    mine = await post_of(own["id"])
    assert (await AcceptedAnswer.get(question_id=question.id)).answer_id == mine.id  # type: ignore[attr-defined]
    assert await credited() == []

    # And staff clear it
    await unaccept(inst.groups, mia, question)
    assert not await AcceptedAnswer.exists() and await credited() == []


async def test_bad_input_is_refused_with_a_reason_and_changes_nothing(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    group, mia = await community_with_moderator(inst, "help", kind="questions")
    await inst.community("talk")
    talk = f"{inst.base}/c/talk"
    alice = peer.person("alice")
    await join(peer, alice, group)
    await join(peer, alice, talk)
    q1, _ = await thread(peer, alice, group, "<p>First?</p>")
    q2, _ = await thread(peer, alice, group, "<p>Second?</p>")
    r1, _ = await reply(peer, alice, group, q1["id"], "<p>one</p>")
    r2, _ = await reply(peer, alice, group, q2["id"], "<p>two</p>")
    t, _ = await thread(peer, alice, talk, "<p>chat</p>")
    tr, _ = await reply(peer, alice, talk, t["id"], "<p>chat back</p>")
    await Post.filter(object_id=r2["id"]).update(state="removed")
    author = Author(mia, inst.files)
    before = (await Post.all().count(), await OutgoingActivity.all().count())

    async def attempt(answer: str, question: str | None = None) -> None:
        reply_post = await find_post(inst.groups, answer)
        asked = await find_post(inst.groups, question) if question else None
        await accept(inst.groups, author, reply_post, asked)

    cases: list[tuple[str, str | None, str]] = [
        (r1["id"], q2["id"], "is not a reply in question"),
        (q1["id"], None, "is the question itself"),
        (tr["id"], None, "not a questions one"),
        (r2["id"], None, "is removed"),
        ("https://nowhere.example/p/1", None, "there is no post"),
        (f"{inst.base}/c/help/p/999", None, "there is no post"),
    ]
    for answer, question, reason in cases:
        with pytest.raises(FedicomError, match=reason):
            await attempt(answer, question)
    with pytest.raises(BadRequest, match="has no accepted answer"):
        await unaccept(inst.groups, mia, await find_post(inst.groups, q1["id"]))
    assert not await AcceptedAnswer.exists() and await credited() == []
    assert (await Post.all().count(), await OutgoingActivity.all().count()) == before
