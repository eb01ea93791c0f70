"""Defederation end to end: a suspended server can neither follow, post nor fetch, and what it
left behind is cleaned up; lifting the block restores federation from then on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from fedicom.activitypub.models import Delivery, OutgoingActivity, RemoteActor
from fedicom.errors import BadRequest
from fedicom.groups.models import Membership, Post
from fedicom.moderation.blocks import block_domain, unblock_domain
from fedicom.moderation.models import DomainBlock, ModlogEntry
from fedicom.moderation.staff import create_staff
from tests.support.peer import PUBLIC, Peer
from tests.support.servers import Instance


@pytest.fixture
async def far_peer() -> AsyncIterator[Peer]:
    """A second server, on another loopback address, that stays federated."""
    p = Peer()
    await p.start("127.0.0.2")
    yield p
    await p.stop()


async def admin_of(inst: Instance) -> str:
    """An instance admin's actor URI: who blocks servers."""
    await create_staff("admin", "a long password", is_admin=True)
    return inst.site.staff_uri("admin")


async def until(check, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached")


async def test_suspending_a_server_cuts_it_off_and_cleans_up(instance, peer: Peer, far_peer: Peer) -> None:
    # Given a community with members on a bad server (127.0.0.1) and a good one (127.0.0.2)
    inst = await instance(hostname="localhost")
    await inst.community("news")
    group = f"{inst.base}/c/news"
    bad, good = peer.person("troll"), far_peer.person("friend")
    for p, person in ((peer, bad), (far_peer, good)):
        assert (await p.post(person, f"{group}/inbox", p.activity("Follow", person, group)))[0] == 202
        await p.wait_for(lambda p=p: p.received_of("Accept"))
    note = peer.note(bad, "<p>spam</p>", to=[PUBLIC], cc=[group])
    assert (await peer.post(bad, f"{group}/inbox", peer.activity("Create", bad, note, to=[PUBLIC])))[0] == 202
    await far_peer.wait_for(lambda: far_peer.received_of("Announce", inner="uri"))

    # When the bad server is suspended (the block names its domain; subdomains would be covered too)
    admin = await admin_of(inst)
    block, report = await block_domain(
        inst.groups, inst.app.state.defed, "127.0.0.1", public_comment="spam", moderator=admin
    )

    # Then its members, posts and cached actors are gone, and the good server is told to drop the boost
    assert report is not None and (report.members_removed, report.posts_removed) == (1, 1)
    assert not await Membership.filter(actor=bad.uri).exists()
    assert (await Post.get(object_id=note["id"])).deleted
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
    await unblock_domain(inst.groups, inst.app.state.defed, "127.0.0.1", moderator=admin)
    inst.app.state.defed.forget()
    assert (await peer.post(bad, f"{group}/inbox", peer.activity("Follow", bad, group)))[0] == 202
    assert not await DomainBlock.exists()
    assert block.public_comment == "spam"


async def test_deliveries_to_a_suspended_server_are_cancelled_not_sent(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    await inst.community("news")
    group = f"{inst.base}/c/news"
    alice = peer.person("alice")
    await peer.post(alice, f"{group}/inbox", peer.activity("Follow", alice, group))
    await peer.wait_for(lambda: peer.received_of("Accept"))
    await DomainBlock.create(domain="127.0.0.1", severity="suspend")  # e.g. written by another process
    inst.app.state.defed.forget()
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


@pytest.mark.parametrize("domain", ["localhost", "LOCALHOST.", "https://localhost/about"])
async def test_the_servers_own_domain_cannot_be_blocked(instance, domain: str) -> None:
    inst = await instance(hostname="localhost")
    admin = await admin_of(inst)
    with pytest.raises(BadRequest, match="own domain"):
        await block_domain(inst.groups, inst.app.state.defed, domain, moderator=admin)
    assert not await DomainBlock.exists()


@pytest.mark.parametrize("domain", ["", "not a domain", "-bad-.example", "exa mple.com"])
async def test_malformed_domains_are_refused(instance, domain: str) -> None:
    inst = await instance()
    admin = await admin_of(inst)
    with pytest.raises(BadRequest):
        await block_domain(inst.groups, inst.app.state.defed, domain, moderator=admin)
    assert not await DomainBlock.exists()
