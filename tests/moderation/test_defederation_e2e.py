"""Defederation end to end: a suspended server can neither follow, post nor fetch, and what it
left behind is cleaned up; lifting the block restores federation from then on."""

from __future__ import annotations

import pytest

from fedicom.activitypub.models import Delivery, OutgoingActivity, RemoteActor
from fedicom.errors import BadRequest
from fedicom.groups.models import Membership, Post
from fedicom.moderation import cleanup
from fedicom.moderation.blocks import block_domain, unblock_domain
from fedicom.moderation.models import DomainBlock, ModlogEntry
from tests.moderation.helpers import admin
from tests.support.peer import PUBLIC, Peer
from tests.support.steps import cleaned_up, join, thread, until


async def test_suspending_a_server_cuts_it_off_and_cleans_up(instance, peer: Peer, far_peer: Peer) -> None:
    # Given communities with members on a bad server (127.0.0.1) and a good one (127.0.0.2)
    inst = await instance(hostname="localhost")
    await inst.community("news")
    await inst.community("pets")
    group, pets = f"{inst.base}/c/news", f"{inst.base}/c/pets"
    bad, good = peer.person("troll"), far_peer.person("friend")
    await join(peer, bad, group)
    await join(peer, bad, pets)
    await join(far_peer, good, group)
    note, _ = await thread(peer, bad, group, "<p>spam</p>")
    cats, _ = await thread(peer, bad, pets, "<p>more spam</p>")
    await far_peer.wait_for(lambda: far_peer.received_of("Announce", inner="uri"))

    # When the bad server is suspended (the block names its domain; subdomains would be covered too)
    root = await admin(inst)
    block, job = await block_domain(
        inst.groups, inst.defed, "127.0.0.1", public_comment="spam", moderator=root
    )

    # Then its clean-up removes its members, posts and cached actors, and the good server is told to
    # drop the boost
    assert job is not None
    [done] = await cleaned_up()
    counts = cleanup.summary(done).counts
    assert (counts["members_removed"], counts["posts_removed"]) == (2, 2) and counts["actors_purged"] >= 1
    assert not await Membership.filter(actor=bad.uri).exists()  # in every community
    assert (await Post.get(object_id=note["id"])).deleted and (await Post.get(object_id=cats["id"])).deleted
    assert not await RemoteActor.filter(host__startswith="127.0.0.1").exists()
    undo = await far_peer.wait_for(lambda: far_peer.received_of("Undo"))
    assert undo[0]["object"]["object"] == note["id"] and undo[0]["object"]["type"] == "Announce"
    assert not await Delivery.filter(state="pending", host__startswith="127.0.0.1").exists()
    actions = set(await ModlogEntry.all().values_list("action", flat=True))
    assert {"block_domain", "suspend_applied"} <= actions

    # And the suspended server can neither follow, post nor read signed
    status, text = await peer.post(bad, f"{group}/inbox", peer.activity("Follow", bad, group))
    assert status == 403 and "federate" in text
    again = peer.note(bad, "<p>more spam</p>", to=[PUBLIC], cc=[group])
    assert (await peer.post(bad, f"{inst.base}/inbox", peer.activity("Create", bad, again)))[0] == 403
    with pytest.raises(Exception, match="403"):
        await peer.get(group, signer=bad)
    assert (await far_peer.get(group, signer=good))["type"] == "Group"

    # When the block is lifted, the server may join again (from then on)
    await unblock_domain(inst.groups, inst.defed, "127.0.0.1", moderator=root)
    inst.defed.forget()
    assert (await peer.post(bad, f"{group}/inbox", peer.activity("Follow", bad, group)))[0] == 202
    assert not await DomainBlock.exists()
    assert block.public_comment == "spam"


async def test_deliveries_to_a_suspended_server_are_cancelled_not_sent(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    await inst.community("news")
    group = f"{inst.base}/c/news"
    alice = peer.person("alice")
    await join(peer, alice, group)
    await DomainBlock.create(domain="127.0.0.1", severity="suspend")  # e.g. written by another process
    inst.defed.forget()
    activity = {
        "id": f"{inst.base}/activities/x",
        "type": "Announce",
        "actor": group,
        "object": "https://x/1",
    }
    await inst.fed.send(activity, actor=group, inboxes=[alice.inbox])
    await until(lambda: Delivery.filter(state="cancelled").exists())
    assert len(peer.received_of("Announce")) == 0
    assert await OutgoingActivity.filter(activity_id=activity["id"]).exists()


async def test_the_servers_own_domain_cannot_be_blocked(instance) -> None:
    inst = await instance(hostname="localhost")
    root = await admin(inst)
    for domain in ("localhost", "LOCALHOST.", "https://localhost/about"):
        with pytest.raises(BadRequest, match="own domain"):
            await block_domain(inst.groups, inst.defed, domain, moderator=root)
    assert not await DomainBlock.exists()


async def test_malformed_domains_are_refused(instance) -> None:
    inst = await instance()
    root = await admin(inst)
    for domain in ("", "not a domain", "-bad-.example", "exa mple.com"):
        with pytest.raises(BadRequest):
            await block_domain(inst.groups, inst.defed, domain, moderator=root)
    assert not await DomainBlock.exists()
