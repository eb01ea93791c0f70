"""The idea board end to end on loopback with real signed HTTP: an idea from a Lemmy-shaped member and
one from a Mastodon-shaped member land on the board; a status change reaches both as a staff reply; a
merge moves the votes (no voter counted twice, recognition exact) and tells the duplicate's author."""

from __future__ import annotations

from typing import Any

from fedicom.groups.models import Post, Vote
from fedicom.ideas.board import ordered, statuses_of
from fedicom.ideas.lifecycle import IdeaStatus
from fedicom.ideas.merging import merge
from fedicom.ideas.status import set_status
from fedicom.publishing.compose import Author
from fedicom.recognition.models import Credit, CreditKind
from fedicom.recognition.rebuild import rebuild
from tests.moderation.helpers import community_with_moderator
from tests.support.peer import PUBLIC, Peer, Person
from tests.support.steps import announced, boosts, join, post_of, send, thread


def reached(p: Peer, object_id: str) -> list[dict[str, Any]]:
    """The staff reply as a member's server gets it: announced (Lemmy), boosted (Mastodon) or sent."""
    direct = [a for a in p.received_of("Create") if a["object"].get("id") == object_id]
    return announced(p, "Create", object_id) + boosts(p, object_id) + direct


def mentioned(p: Peer, person: Person, object_id: str) -> list[dict[str, Any]]:
    """The reply sent to the person's server directly, mentioning them."""
    return [
        a
        for a in p.received_of("Create")
        if a["object"].get("id") == object_id
        and any(t.get("href") == person.uri for t in a["object"].get("tag", []))
    ]


async def like(p: Peer, person: Person, group: str, object_id: str) -> None:
    await send(p, person, f"{group}/inbox", p.activity("Like", person, object_id))


async def vote_credits() -> set[tuple[int, str]]:
    return {(c.post_id, c.giver) for c in await Credit.filter(kind=CreditKind.VOTE)}  # type: ignore[attr-defined]


async def test_ideas_from_lemmy_and_mastodon_get_a_status_and_are_merged(
    instance, peer: Peer, far_peer: Peer
) -> None:
    # Given an idea board with a Lemmy-shaped member (alice, bob) and a Mastodon-shaped one (carol, dave)
    inst = await instance(hostname="localhost")
    group, mia = await community_with_moderator(inst, "ideas", kind="ideas")
    peer.software, far_peer.software = "lemmy", "mastodon"
    alice, bob, carol, dave = (peer.person("alice"), peer.person("bob"), far_peer.person("carol"),
                               far_peer.person("dave"))  # fmt: skip
    for p, person in ((peer, alice), (peer, bob), (far_peer, carol), (far_peer, dave)):
        await join(p, person, group)

    # When alice posts an idea from Lemmy (a Page with a title) and carol one from Mastodon (a Note)
    page, _ = await thread(peer, alice, group, "<p>Please add a dark mode.</p>", type="Page",
                           name="Dark mode", audience=group)  # fmt: skip
    note, _ = await thread(far_peer, carol, group, "<p>@ideas A night theme would be lovely</p>",
                           tag=[{"type": "Mention", "href": group, "name": "@ideas@localhost"}])  # fmt: skip
    original, duplicate = await post_of(page["id"]), await post_of(note["id"])

    # Then both land on the board, open
    board = await inst.groups.group("ideas")
    listed = await ordered(board, "new", None, 0, 10)
    assert [p.id for p in listed] == [duplicate.id, original.id]
    shown = await statuses_of(board, listed)
    assert {s.status for s in shown.values()} == {IdeaStatus.OPEN}

    # When mia plans alice's idea with a note
    author = Author(mia, inst.files)
    change = await set_status(inst.groups, author, original, IdeaStatus.PLANNED, "For the March release.")

    # Then both members' servers get the staff reply, and alice's is sent to her, mentioning her
    reply = await Post.get(id=change.reply_id)  # type: ignore[attr-defined]
    assert reply.parent_id == original.id and reply.author == mia  # type: ignore[attr-defined]
    [told] = await peer.wait_for(lambda: mentioned(peer, alice, reply.object_id))
    assert "Status: Planned — For the March release." in told["object"]["content"]
    assert told["object"]["inReplyTo"] == page["id"]
    await peer.wait_for(lambda: announced(peer, "Create", reply.object_id))
    await far_peer.wait_for(lambda: reached(far_peer, reply.object_id))
    assert (await statuses_of(board, [original]))[original.id].status is IdeaStatus.PLANNED

    # Given votes: bob on both, alice and dave on carol's idea, carol on her own
    for p, person, target in ((peer, bob, page["id"]), (peer, bob, note["id"]), (peer, alice, note["id"]),
                              (far_peer, dave, note["id"]), (far_peer, carol, note["id"])):  # fmt: skip
        await like(p, person, group, target)
    assert (await Post.get(id=duplicate.id)).upvotes == 4

    # When mia merges carol's idea into alice's
    merged = await merge(inst.groups, author, duplicate, original)

    # Then every voter counts once on the original, and the duplicate has none left
    assert (merged.moved, merged.dropped) == (3, 1)
    assert {v.actor for v in await Vote.filter(post_id=original.id)} == {
        bob.uri,
        alice.uri,
        dave.uri,
        carol.uri,
    }
    assert not await Vote.filter(post_id=duplicate.id).exists()
    assert (await Post.get(id=original.id)).upvotes == 4 and (await Post.get(id=duplicate.id)).upvotes == 0
    # recognition credits the original's author for others' votes (alice's own does not count), exactly
    # as a rebuild from the stored votes does
    credits = await vote_credits()
    assert credits == {(original.id, bob.uri), (original.id, dave.uri), (original.id, carol.uri)}
    await rebuild(board)
    assert await vote_credits() == credits

    # And the duplicate is a locked duplicate pointing to the original, which counts it
    after = await Post.get(id=duplicate.id)
    assert after.locked is True
    dup_shown, orig_shown = (await statuses_of(board, [after, original])).values()
    assert (dup_shown.status, dup_shown.merged_into) == (IdeaStatus.DUPLICATE, original.id)
    assert orig_shown.merged_here == 1

    # And carol, on Mastodon, gets the reply mentioning her and linking the original
    merge_reply = await Post.get(id=merged.change.reply_id)  # type: ignore[attr-defined]
    [carol_told] = await far_peer.wait_for(lambda: mentioned(far_peer, carol, merge_reply.object_id))
    assert f"{group}/p/{original.id}" in carol_told["object"]["content"]
    assert carol.uri in carol_told["object"]["cc"] and PUBLIC in carol_told["object"]["to"]
    # and the lock reaches the Lemmy-shaped members
    await peer.wait_for(lambda: announced(peer, "Lock", note["id"]))
