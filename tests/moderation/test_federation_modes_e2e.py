"""Federation modes end to end (FEDICOM_FEDERATION_MODE), with real servers on loopback:
127.0.0.1 is an unknown server, 127.0.0.2 an approved one (DomainAllow)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from fedicom.activitypub.models import Delivery
from fedicom.groups.models import Membership, Post
from fedicom.moderation.allows import allow_domain, disallow_domain
from fedicom.moderation.models import DomainAllow, DomainBlock, ModlogEntry
from tests.moderation.helpers import admin
from tests.support.peer import PUBLIC, Peer
from tests.support.servers import Instance
from tests.support.steps import join, thread, until

Start = Callable[..., Awaitable[Instance]]


async def test_allowlist_refuses_unknown_servers_in_every_direction(
    instance: Start, peer: Peer, far_peer: Peer
) -> None:
    inst = await instance(hostname="localhost", federation_mode="allowlist")
    await inst.community("news")
    group = f"{inst.base}/c/news"
    await DomainAllow.create(domain="127.0.0.2")
    stranger, friend = peer.person("stranger"), far_peer.person("friend")

    # an approved server federates as usual
    await join(far_peer, friend, group)
    assert (await far_peer.get(group, signer=friend))["type"] == "Group"

    # an unknown one can neither follow, post, nor read signed
    status, text = await peer.post(stranger, f"{group}/inbox", peer.activity("Follow", stranger, group))
    assert status == 403 and "does not federate" in text
    note = peer.note(stranger, "<p>hi</p>", to=[PUBLIC], cc=[group])
    assert (await peer.post(stranger, f"{inst.base}/inbox", peer.activity("Create", stranger, note)))[
        0
    ] == 403
    with pytest.raises(Exception, match="403"):
        await peer.get(group, signer=stranger)
    assert not await Membership.filter(actor=stranger.uri).exists()

    # and nothing is delivered to it
    activity = {
        "id": f"{inst.base}/activities/x",
        "type": "Announce",
        "actor": group,
        "object": "https://x/1",
    }
    await inst.fed.send(activity, actor=group, inboxes=[stranger.inbox])
    await until(lambda: Delivery.filter(state="cancelled", host__startswith="127.0.0.1").exists())
    assert not peer.received_of("Announce")


async def test_allowlist_admits_a_server_once_allowed_and_drops_it_when_withdrawn(
    instance: Start, peer: Peer
) -> None:
    inst = await instance(hostname="localhost", federation_mode="allowlist")
    await inst.community("news")
    group = f"{inst.base}/c/news"
    root = await admin(inst)
    stranger = peer.person("stranger")
    assert (await peer.post(stranger, f"{group}/inbox", peer.activity("Follow", stranger, group)))[0] == 403

    await allow_domain(inst.groups, inst.defed, "127.0.0.1", moderator=root, comment="partner")
    await join(peer, stranger, group)

    await disallow_domain(inst.groups, inst.defed, "127.0.0.1", moderator=root)
    with pytest.raises(Exception, match="403"):
        await peer.get(group, signer=stranger)
    actions = set(await ModlogEntry.all().values_list("action", flat=True))
    assert {"allow_domain", "disallow_domain"} <= actions


async def test_a_suspension_wins_over_an_allow(instance: Start, peer: Peer) -> None:
    inst = await instance(hostname="localhost", federation_mode="allowlist")
    await inst.community("news")
    group = f"{inst.base}/c/news"
    await DomainAllow.create(domain="127.0.0.1")
    await DomainBlock.create(domain="127.0.0.1", severity="suspend")
    stranger = peer.person("stranger")
    assert (await peer.post(stranger, f"{group}/inbox", peer.activity("Follow", stranger, group)))[0] == 403


async def test_quarantine_lets_unknown_servers_follow_and_read_but_holds_their_posts(
    instance: Start, peer: Peer, far_peer: Peer
) -> None:
    inst = await instance(hostname="localhost", federation_mode="quarantine")
    await inst.community("news")
    group = f"{inst.base}/c/news"
    await DomainAllow.create(domain="127.0.0.2")
    newcomer, friend = peer.person("newcomer"), far_peer.person("friend")

    await join(peer, newcomer, group)  # follows are not held
    await join(far_peer, friend, group)
    assert (await peer.get(group, signer=newcomer))["type"] == "Group"

    held, _ = await thread(peer, newcomer, group, "<p>hello from a new server</p>")
    fine, _ = await thread(far_peer, friend, group, "<p>hello from a known one</p>")
    await far_peer.wait_for(
        lambda: [a for a in far_peer.received_of("Announce") if a["object"] == fine["id"]]
    )
    stored = await Post.get(object_id=held["id"])
    assert stored.state == "held"
    assert stored.state_reason == "127.0.0.1 is not yet approved (this instance is in quarantine mode)"
    assert not [a for a in far_peer.received_of("Announce") if a["object"] == held["id"]]

    # When the admin approves the server, its held posts are released: approved and announced
    root = await admin(inst)
    _, released = await allow_domain(inst.groups, inst.defed, "127.0.0.1", moderator=root)
    assert released == 1
    await far_peer.wait_for(
        lambda: [a for a in far_peer.received_of("Announce") if a["object"] == held["id"]]
    )
    stored = await Post.get(object_id=held["id"])
    assert stored.state == "visible" and stored.activity is None and stored.announce_id
    assert await ModlogEntry.filter(action="approve_post", target=held["id"], moderator=root).exists()

    # and its next posts are not held
    later, _ = await thread(peer, newcomer, group, "<p>again</p>")
    await far_peer.wait_for(
        lambda: [a for a in far_peer.received_of("Announce") if a["object"] == later["id"]]
    )


async def test_quarantine_release_can_be_declined(instance: Start, peer: Peer) -> None:
    inst = await instance(hostname="localhost", federation_mode="quarantine")
    await inst.community("news")
    group = f"{inst.base}/c/news"
    newcomer = peer.person("newcomer")
    await join(peer, newcomer, group)
    held, _ = await thread(peer, newcomer, group, "<p>hello</p>")
    assert (await Post.get(object_id=held["id"])).state == "held"

    root = await admin(inst)
    _, released = await allow_domain(inst.groups, inst.defed, "127.0.0.1", moderator=root, release=False)

    assert released == 0 and (await Post.get(object_id=held["id"])).state == "held"


async def test_open_mode_applies_suspensions_but_not_limits(
    instance: Start, peer: Peer, far_peer: Peer
) -> None:
    inst = await instance(hostname="localhost", federation_mode="open")
    await inst.community("news")
    group = f"{inst.base}/c/news"
    await DomainBlock.create(domain="127.0.0.2", severity="limit")
    await DomainBlock.create(domain="127.0.0.1", severity="suspend")
    limited, suspended = far_peer.person("limited"), peer.person("suspended")

    await join(far_peer, limited, group)  # accepted at once: limits have no effect in open mode
    note, _ = await thread(far_peer, limited, group, "<p>posted</p>")
    assert (await Post.get(object_id=note["id"])).state == "visible"
    status, _ = await peer.post(suspended, f"{group}/inbox", peer.activity("Follow", suspended, group))
    assert status == 403
