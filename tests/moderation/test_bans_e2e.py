"""Bans end to end: the Block federates in Lemmy's shape, signed by the moderator, and the banned
actor can neither follow, post nor vote until the ban is lifted or expires; remote moderators' bans
are applied and announced onwards."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from fedicom.errors import BadRequest, Forbidden, NotFound
from fedicom.groups.models import Membership, Moderator, Post, Vote
from fedicom.moderation import bans
from fedicom.moderation.models import Ban, ModlogEntry
from fedicom.staff.accounts import create_staff
from tests.moderation.helpers import PASSWORD, moderator
from tests.support.peer import PUBLIC, Peer
from tests.support.replay import FIXTURES
from tests.support.servers import Instance
from tests.support.steps import join, send, thread


def block_user_fixture() -> dict[str, Any]:
    """Lemmy's recorded ban; our own copy of the shape when the shared fixtures are absent."""
    path = FIXTURES / "lemmy/activities/block/block_user.json"
    if not path.exists():
        path = Path(__file__).parents[1] / "fixtures" / "block_user.json"
    return json.loads(path.read_text())  # type: ignore[no-any-return]


async def test_a_ban_federates_as_lemmys_block_and_stops_the_banned_actor(
    instance, peer: Peer, far_peer: Peer
) -> None:
    # Given a community with a troll (127.0.0.1) and a friend (127.0.0.2) as members, and a thread
    # by the troll that the friend's server saw boosted
    inst: Instance = await instance(hostname="localhost")
    await inst.community("news")
    group = f"{inst.base}/c/news"
    staff = await moderator(inst, "news")
    troll, friend = peer.person("troll"), far_peer.person("friend")
    await join(peer, troll, group)
    await join(far_peer, friend, group)
    spam, _ = await thread(peer, troll, group, "<p>spam</p>")
    await far_peer.wait_for(lambda: far_peer.received_of("Announce", inner="uri"))

    # When the moderator bans the troll by handle, for a week, removing their content
    until = datetime.now(UTC) + timedelta(days=7)
    handle = f"@troll@{peer.base.removeprefix('http://')}"
    ban = await bans.ban(
        inst.groups, staff, handle, community="news", reason="spam", expires=until, remove_data=True
    )

    # Then the troll's server gets the Block, signed by the moderator's Person, in Lemmy's shape
    [block] = await peer.wait_for(lambda: [r for r in peer.received if r.activity["type"] == "Block"])
    assert block.signer == f"{inst.base}/u/mod"
    doc = block.activity
    recorded = block_user_fixture()
    assert set(recorded) <= set(doc)
    assert {k: type(v) for k, v in recorded.items()} == {k: type(doc[k]) for k in recorded}
    assert (doc["actor"], doc["object"], doc["target"]) == (f"{inst.base}/u/mod", troll.uri, group)
    assert (doc["to"], doc["cc"], doc["audience"]) == ([PUBLIC], [group], group)
    assert (doc["removeData"], doc["summary"]) == (True, "spam")
    assert doc["endTime"] == doc["expires"] == until.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ban.activity_id == doc["id"]

    # And the friend's server gets the group's Announce{Block} and the Undo of the troll's boost
    announced = await far_peer.wait_for(
        lambda: [a for a in far_peer.received_of("Announce", inner="Block") if a["object"]["id"] == doc["id"]]
    )
    assert announced[0]["actor"] == group and announced[0]["object"] == doc
    undo = await far_peer.wait_for(lambda: far_peer.received_of("Undo"))
    assert (undo[0]["object"]["type"], undo[0]["object"]["object"]) == ("Announce", spam["id"])

    # And the troll's membership ended and their thread is removed (restorable, not deleted)
    assert not await Membership.exists(actor=troll.uri)
    post = await Post.get(object_id=spam["id"])
    assert (post.state, post.state_reason, post.deleted) == ("removed", "author banned: spam", False)
    [entry] = await ModlogEntry.filter(action="ban")
    assert (entry.community, entry.target, entry.reason) == ("news", troll.uri, "spam")

    # And the troll can neither follow, post nor vote
    follow = peer.activity("Follow", troll, group)
    await peer.post(troll, f"{group}/inbox", follow)
    await peer.wait_for(lambda: [a for a in peer.received_of("Reject") if a["object"]["id"] == follow["id"]])
    assert not await Membership.exists(actor=troll.uri)
    more, item = await thread(peer, troll, group, "<p>more spam</p>")
    assert "banned" in (item.error or "")
    assert not await Post.exists(object_id=more["id"])
    friends, _ = await thread(far_peer, friend, group, "<p>hello</p>")
    like = peer.activity("Like", troll, friends["id"])
    assert "banned" in ((await send(peer, troll, f"{inst.base}/inbox", like)).error or "")
    assert not await Vote.exists(actor=troll.uri)

    # When the ban is lifted, the troll's server and the members learn it, and the troll may join again
    await bans.unban(inst.groups, staff, troll.uri, community="news")
    lifted = await peer.wait_for(lambda: peer.received_of("Undo", inner="Block"))
    assert lifted[0]["object"]["id"] == doc["id"] and lifted[0]["actor"] == f"{inst.base}/u/mod"
    await far_peer.wait_for(lambda: far_peer.received_of("Announce", inner="Undo"))
    assert not await Ban.exists()
    await join(peer, troll, group)
    assert await ModlogEntry.filter(action="unban", target=troll.uri).exists()


async def test_an_expired_ban_no_longer_counts(instance, peer: Peer) -> None:
    inst: Instance = await instance(hostname="localhost")
    await inst.community("news")
    group = f"{inst.base}/c/news"
    admin = await create_staff("admin", PASSWORD, is_admin=True)
    troll = peer.person("troll")
    await bans.ban(
        inst.groups,
        admin,
        troll.uri,
        community="news",
        reason="cool down",
        expires=datetime.now(UTC) + timedelta(hours=1),
    )
    follow = peer.activity("Follow", troll, group)
    await peer.post(troll, f"{group}/inbox", follow)
    await peer.wait_for(lambda: peer.received_of("Reject"))

    # an hour later (the clock is moved by moving the expiry)
    await Ban.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    inst.groups.hooks.forget()  # bans are cached (moderation/banlist.py); this write went around them
    await join(peer, troll, group)
    assert [b.actor for b in await bans.list_bans("news") if not bans.is_active(b)] == [troll.uri]


async def test_an_instance_wide_ban_reaches_every_server_and_covers_every_community(
    instance, peer: Peer, far_peer: Peer
) -> None:
    inst: Instance = await instance(hostname="localhost")
    await inst.community("news")
    await inst.community("pets")
    admin = await create_staff("admin", PASSWORD, is_admin=True)
    troll, friend = peer.person("troll"), far_peer.person("friend")
    await join(far_peer, friend, f"{inst.base}/c/pets")
    await bans.ban(inst.groups, admin, troll.uri, reason="ban evasion")
    blocks = await far_peer.wait_for(lambda: far_peer.received_of("Block"))
    assert (blocks[0]["target"], blocks[0]["cc"]) == (f"{inst.base}/actor", [])
    assert "audience" not in blocks[0]
    await peer.wait_for(lambda: peer.received_of("Block"))
    for name in ("news", "pets"):
        follow = peer.activity("Follow", troll, f"{inst.base}/c/{name}")
        await peer.post(troll, f"{inst.base}/c/{name}/inbox", follow)
        await peer.wait_for(
            lambda f=follow: [a for a in peer.received_of("Reject") if a["object"]["id"] == f["id"]]
        )
    assert (await ModlogEntry.get(action="ban")).community is None


async def test_who_may_ban_and_bad_input(instance, peer: Peer) -> None:
    inst: Instance = await instance(hostname="localhost")
    await inst.community("news")
    await inst.community("pets")
    mod = await moderator(inst, "news")
    troll = peer.person("troll")
    with pytest.raises(Forbidden, match="does not moderate pets"):
        await bans.ban(inst.groups, mod, troll.uri, community="pets", reason="x")
    with pytest.raises(Forbidden, match="not an instance admin"):
        await bans.ban(inst.groups, mod, troll.uri, reason="x")
    with pytest.raises(BadRequest, match="needs a reason"):
        await bans.ban(inst.groups, mod, troll.uri, community="news", reason=" ")
    with pytest.raises(BadRequest, match="this server"):
        await bans.ban(inst.groups, mod, f"{inst.base}/u/mod", community="news", reason="x")
    with pytest.raises(NotFound):
        await bans.ban(
            inst.groups, mod, f"@nobody@{peer.base.removeprefix('http://')}", community="news", reason="x"
        )
    with pytest.raises(NotFound, match="is not banned"):
        await bans.unban(inst.groups, mod, troll.uri, community="news")
    assert not await Ban.exists() and not await ModlogEntry.exists()


async def test_a_remote_moderators_ban_is_applied_and_announced(instance, peer: Peer, far_peer: Peer) -> None:
    # Given a community moderated by carol, who lives on another server, and a member on a third
    inst: Instance = await instance(hostname="localhost")
    await inst.community("news")
    group = f"{inst.base}/c/news"
    carol, troll, friend = far_peer.person("carol"), peer.person("troll"), far_peer.person("friend")
    await Moderator.create(group=await inst.groups.group("news"), actor=carol.uri)
    await join(peer, troll, group)
    await join(far_peer, friend, group)

    # When the troll tries to ban the friend, nothing happens
    fake = far_peer.activity(
        "Block", troll, friend.uri, target=group, to=[PUBLIC], cc=[group], summary="mine", removeData=False
    )
    fake["id"] = peer.new_id()
    assert "does not moderate news" in ((await send(peer, troll, f"{group}/inbox", fake)).error or "")
    assert not await Ban.exists()

    # When carol bans the troll with a Block of her own
    block = far_peer.activity(
        "Block",
        carol,
        troll.uri,
        target=group,
        to=[PUBLIC],
        cc=[group],
        audience=group,
        summary="trolling",
        removeData=False,
        endTime="2099-01-01T00:00:00Z",
    )
    await send(far_peer, carol, f"{group}/inbox", block)

    # Then the ban is in force, the troll has left, and the members get the Block as carol sent it
    ban = await Ban.get(actor=troll.uri)
    assert (ban.moderator, ban.reason, ban.expires_at.year) == (carol.uri, "trolling", 2099)
    assert not await Membership.exists(actor=troll.uri)
    announced = await far_peer.wait_for(lambda: far_peer.received_of("Announce", inner="Block"))
    assert announced[0]["object"] == block
    entry = await ModlogEntry.get(action="ban")
    assert (entry.moderator, entry.community) == (carol.uri, "news")

    # And carol's Undo lifts it
    undo = far_peer.activity("Undo", carol, block, to=[PUBLIC], cc=[group])
    await send(far_peer, carol, f"{group}/inbox", undo)
    assert not await Ban.exists()
    await far_peer.wait_for(lambda: far_peer.received_of("Announce", inner="Undo"))
