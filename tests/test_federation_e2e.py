"""End to end: a fedicom instance and a loopback peer exchange real signed HTTP."""

from __future__ import annotations

import asyncio

from tests.support.peer import PUBLIC, Peer


async def follow(peer: Peer, person, group_uri: str) -> dict:
    activity = peer.activity("Follow", person, group_uri)
    status, text = await peer.post(person, f"{group_uri}/inbox", activity)
    assert status == 202, text
    return activity


async def test_member_finds_follows_posts_and_sees_announces(instance, peer: Peer) -> None:
    """Discovery by handle, follow, post, both Announce shapes, vote, edit, delete, unfollow."""
    inst = await instance()
    await inst.community("news", title="News", summary="All the *news*.", rules="Be kind.")
    alice = peer.person("alice")
    bob = peer.person("bob")

    # Given a handle, WebFinger leads to the Group actor
    jrd = await peer.get(f"{inst.base}/.well-known/webfinger?resource=acct:news@{inst.settings.domain}")
    group_uri = next(link["href"] for link in jrd["links"] if link["rel"] == "self")
    group = await peer.get(group_uri)
    assert group["type"] == "Group" and group["preferredUsername"] == "news"
    assert group["endpoints"]["sharedInbox"] == f"{inst.base}/inbox"

    # When alice and bob follow, the group accepts with the Follow embedded
    follow_a = await follow(peer, alice, group_uri)
    follow_b = await follow(peer, bob, group_uri)
    accepts = await peer.wait_for(lambda: len(peer.received_of("Accept")) >= 2 and peer.received_of("Accept"))
    assert follow_a in [a["object"] for a in accepts]
    assert all(r.signer == group_uri for r in peer.received)

    # When alice posts to the group, members get Announce{Create} and the Mastodon-style boost
    note = peer.note(alice, "<p>Hello <script>x()</script>group</p>", to=[PUBLIC], cc=[group_uri])
    create = peer.activity("Create", alice, note, to=[PUBLIC], cc=[group_uri])
    assert (await peer.post(alice, f"{inst.base}/inbox", create))[0] == 202
    wrapped = await peer.wait_for(lambda: peer.received_of("Announce", inner="Create"))
    assert wrapped[0]["object"] == create  # exactly as received
    assert PUBLIC in wrapped[0]["to"] and f"{group_uri}/followers" in wrapped[0]["cc"]
    boosts = await peer.wait_for(lambda: peer.received_of("Announce", inner="uri"))
    assert boosts[0]["object"] == note["id"]

    # Votes are counted and announced
    like = peer.activity("Like", bob, note["id"])
    assert (await peer.post(bob, f"{group_uri}/inbox", like))[0] == 202
    await peer.wait_for(lambda: peer.received_of("Announce", inner="Like"))
    from fedicom.groups.models import Post

    post = await Post.get(object_id=note["id"])
    assert post.upvotes == 1 and "<script>" not in post.content

    # The author's edit and delete are announced
    edited = {**note, "content": "<p>Edited</p>"}
    update = peer.activity("Update", alice, edited)
    assert (await peer.post(alice, f"{inst.base}/inbox", update))[0] == 202
    await peer.wait_for(lambda: peer.received_of("Announce", inner="Update"))
    delete = peer.activity("Delete", alice, note["id"])
    assert (await peer.post(alice, f"{inst.base}/inbox", delete))[0] == 202
    await peer.wait_for(lambda: peer.received_of("Announce", inner="Delete"))
    assert (await Post.get(object_id=note["id"])).deleted

    # Unfollow ends membership: the count published in `followers` drops
    assert (await peer.get(f"{group_uri}/followers"))["totalItems"] == 2
    undo = peer.activity("Undo", bob, follow_b)
    assert (await peer.post(bob, f"{group_uri}/inbox", undo))[0] == 202
    from fedicom.groups.models import Membership

    await peer.wait_for(lambda: True)
    for _ in range(50):
        if await Membership.filter(actor=bob.uri).count() == 0:
            break
        await asyncio.sleep(0.05)
    assert (await peer.get(f"{group_uri}/followers"))["totalItems"] == 1
    assert not peer.rejected, peer.rejected
