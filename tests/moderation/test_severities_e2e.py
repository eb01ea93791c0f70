"""Severities end to end: suspend cuts a server off, limit makes it wait for a moderator, noop with
reject_media keeps its posts but not their attachments, reject_reports drops its reports."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fedicom.activitypub.models import InboxItem
from fedicom.groups import membership
from fedicom.groups.models import Membership, Post, Vote
from fedicom.moderation import cleanup
from fedicom.moderation.blocks import block_domain
from fedicom.moderation.defederation import Defederation
from fedicom.moderation.models import DomainAllow, DomainBlock, ModlogEntry, Report
from tests.moderation.helpers import admin, moderator
from tests.support.peer import PUBLIC, Peer
from tests.support.servers import Instance
from tests.support.steps import cleaned_up, join, thread, until

Start = Callable[..., Awaitable[Instance]]


async def test_hold_reason_names_limited_servers_instance_wide_and_per_community(instance: Start) -> None:
    inst = await instance()
    news = await inst.community("news")
    other = await inst.community("other")
    await DomainBlock.create(domain="limited.example", severity="limit")
    await DomainBlock.create(domain="local.example", severity="limit", community=news)
    await DomainBlock.create(domain="quiet.example", severity="noop", reject_reports=True)
    defed = Defederation()

    assert (
        await defed.hold_reason("a.limited.example:8443", None)
        == "limited.example is limited on this instance"
    )
    assert await defed.hold_reason("local.example", news.id) == "local.example is limited in this community"
    assert await defed.hold_reason("local.example", other.id) is None
    assert await defed.hold_reason("local.example", None) is None
    assert await defed.hold_reason("quiet.example", news.id) is None
    assert await defed.hold_reason("fine.example", news.id) is None


async def test_quarantine_holds_unknown_servers_until_they_are_allowed(instance: Start) -> None:
    inst = await instance()
    news = await inst.community("news")
    await DomainAllow.create(domain="known.example")
    defed = Defederation(mode="quarantine")

    assert "quarantine" in (await defed.hold_reason("new.example", news.id) or "")
    assert await defed.hold_reason("social.known.example", news.id) is None
    assert await defed.allows("new.example")  # they may follow and read
    assert await Defederation(mode="blocklist").hold_reason("new.example", news.id) is None


async def test_reject_reports_and_reject_media_come_from_covering_blocks(instance: Start) -> None:
    inst = await instance()
    news = await inst.community("news")
    await DomainBlock.create(domain="quiet.example", severity="noop", reject_reports=True, reject_media=True)
    await DomainBlock.create(domain="pics.example", severity="noop", reject_media=True, community=news)
    defed = Defederation()

    assert await defed.rejects_reports("m.quiet.example")
    assert not await defed.rejects_reports("pics.example")  # only instance-wide blocks reject reports
    assert await defed.rejects_media("quiet.example")
    assert await defed.rejects_media("pics.example", news.id) and not await defed.rejects_media(
        "pics.example"
    )


async def test_open_mode_applies_only_suspensions(instance: Start) -> None:
    await instance()
    await DomainBlock.create(domain="limited.example", severity="limit", reject_reports=True)
    await DomainBlock.create(domain="gone.example", severity="suspend")
    defed = Defederation(mode="open")

    assert await defed.hold_reason("limited.example", None) is None
    assert not await defed.rejects_reports("limited.example")
    assert not await defed.allows("gone.example") and await defed.allows("limited.example")


# --- end to end, with real servers on loopback: 127.0.0.1 is the blocked server, 127.0.0.2 a good one


async def block(inst: Instance, severity: str, **kw: Any) -> None:
    """An admin blocks the `peer` fixture's server (127.0.0.1)."""
    await block_domain(
        inst.groups,
        inst.defed,
        "127.0.0.1",
        severity=severity,
        moderator=await admin(inst),
        **kw,
    )


async def test_a_limited_servers_follow_waits_for_a_moderator(instance: Start, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    news = await inst.community("news")
    group = f"{inst.base}/c/news"
    await block(inst, "limit", public_comment="spam wave")
    troll = peer.person("troll")

    assert (await peer.post(troll, f"{group}/inbox", peer.activity("Follow", troll, group)))[0] == 202
    pending = await until(lambda: Membership.get_or_none(actor=troll.uri, state="pending"))
    assert pending.group_id == news.id and not peer.received_of("Accept")  # type: ignore[attr-defined]

    await membership.approve(inst.groups, news, troll.uri)
    accept = await peer.wait_for(lambda: peer.received_of("Accept"))
    assert accept[0]["object"]["actor"] == troll.uri


async def test_a_per_community_limit_holds_follows_there_only(instance: Start, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    news = await inst.community("news")
    await inst.community("other")
    await block(inst, "limit", community=news)
    troll = peer.person("troll")
    await join(peer, troll, f"{inst.base}/c/other")
    await peer.post(troll, f"{inst.base}/c/news/inbox", peer.activity("Follow", troll, f"{inst.base}/c/news"))
    assert await until(lambda: Membership.exists(actor=troll.uri, group_id=news.id, state="pending"))


async def test_a_limited_servers_posts_are_held_not_announced(
    instance: Start, peer: Peer, far_peer: Peer
) -> None:
    inst = await instance(hostname="localhost")
    news = await inst.community("news")
    group = f"{inst.base}/c/news"
    troll, friend = peer.person("troll"), far_peer.person("friend")
    await join(peer, troll, group)
    await join(far_peer, friend, group)
    await block(inst, "limit")  # an existing member stays a member; their posts now wait

    held, _ = await thread(peer, troll, group, "<p>buy now</p>")
    fine, _ = await thread(far_peer, friend, group, "<p>hello</p>")

    await far_peer.wait_for(
        lambda: [a for a in far_peer.received_of("Announce") if a["object"] == fine["id"]]
    )
    stored = await Post.get(object_id=held["id"])
    assert stored.state == "held" and stored.state_reason == "127.0.0.1 is limited on this instance"
    assert stored.group_id == news.id  # type: ignore[attr-defined]
    announced = [a for a in far_peer.received_of("Announce") if held["id"] in json.dumps(a)]
    assert announced == []


async def test_reject_media_keeps_no_attachments_but_announces_unchanged(
    instance: Start, peer: Peer, far_peer: Peer
) -> None:
    inst = await instance(hostname="localhost")
    await inst.community("news")
    group = f"{inst.base}/c/news"
    poster, friend = peer.person("poster"), far_peer.person("friend")
    await join(peer, poster, group)
    await join(far_peer, friend, group)
    await block(inst, "noop", reject_media=True, public_comment="gore")
    picture = {"type": "Document", "mediaType": "image/png", "url": f"{peer.base}/media/1.png", "name": "x"}

    note, _ = await thread(
        peer, poster, group, "<p>look</p>", attachment=[picture], image={"type": "Image", "url": "u"}
    )

    boosts = await far_peer.wait_for(
        lambda: [a for a in far_peer.received_of("Announce") if isinstance(a["object"], dict)]
    )
    assert boosts[0]["object"]["object"]["attachment"] == [picture]  # the activity as received

    async def stripped() -> Post | None:
        found = await Post.get_or_none(object_id=note["id"])
        return found if found and "attachment" not in found.document else None

    stored = await until(stripped)
    assert "attachment" not in stored.document and "image" not in stored.document
    assert stored.document["content"] == "<p>look</p>" and stored.state == "visible"


async def test_a_suspended_server_cannot_vote(instance: Start, peer: Peer, far_peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    await inst.community("news")
    group = f"{inst.base}/c/news"
    troll, friend = peer.person("troll"), far_peer.person("friend")
    await join(peer, troll, group)
    await join(far_peer, friend, group)
    note, _ = await thread(far_peer, friend, group, "<p>hello</p>")
    await block(inst, "suspend")

    status, text = await peer.post(troll, f"{group}/inbox", peer.activity("Like", troll, note["id"]))
    assert status == 403 and "federate" in text
    assert not await Vote.exists(actor=troll.uri)


async def test_a_community_suspend_removes_the_server_there_only(
    instance: Start, peer: Peer, far_peer: Peer
) -> None:
    inst = await instance(hostname="localhost")
    news = await inst.community("news")
    other = await inst.community("other")
    group, elsewhere = f"{inst.base}/c/news", f"{inst.base}/c/other"
    troll, friend = peer.person("troll"), far_peer.person("friend")
    for g in (group, elsewhere):
        await join(peer, troll, g)
    await join(far_peer, friend, group)
    spam, _ = await thread(peer, troll, group, "<p>spam</p>")
    kept, _ = await thread(peer, troll, elsewhere, "<p>on topic</p>")
    await far_peer.wait_for(lambda: far_peer.received_of("Announce", inner="uri"))
    await moderator(inst, "news", "mia")

    _, job = await block_domain(
        inst.groups,
        inst.defed,
        "127.0.0.1",
        moderator=inst.site.staff_uri("mia"),
        community=news,
        public_comment="raids",
    )

    assert job is not None
    [done] = await cleaned_up()
    counts = cleanup.summary(done).counts
    assert (counts["members_removed"], counts["posts_removed"]) == (1, 1)
    assert (await Post.get(object_id=spam["id"])).deleted
    assert not (await Post.get(object_id=kept["id"])).deleted
    assert await Membership.exists(actor=troll.uri, group_id=other.id)
    assert not await Membership.exists(actor=troll.uri, group_id=news.id)
    reject = await peer.wait_for(lambda: peer.received_of("Reject"))
    assert reject[0]["actor"] == group and reject[0]["object"]["actor"] == troll.uri
    undo = await far_peer.wait_for(lambda: far_peer.received_of("Undo"))
    assert undo[0]["object"]["object"] == spam["id"]
    entry = await ModlogEntry.get(action="block_domain", community="news")
    assert entry.moderator == inst.site.staff_uri("mia") and entry.reason == "raids"

    # the server still federates elsewhere, but may neither rejoin nor post in news
    follow = peer.activity("Follow", troll, group)
    assert (await peer.post(troll, f"{group}/inbox", follow))[0] == 202
    await peer.wait_for(lambda: [r for r in peer.received_of("Reject") if r["object"]["id"] == follow["id"]])
    note = peer.note(troll, "<p>more spam</p>", to=[PUBLIC], cc=[group])
    create = peer.activity("Create", troll, note, to=[PUBLIC], cc=[group])
    assert (await peer.post(troll, f"{group}/inbox", create))[0] == 202
    item = await until(lambda: InboxItem.get_or_none(activity_id=create["id"], state__in=["done", "failed"]))
    assert "blocked by news" in (item.error or "")
    assert not await Post.exists(object_id=note["id"])
    assert not await Membership.exists(actor=troll.uri, group_id=news.id)


async def test_reports_from_a_reject_reports_server_are_dropped(
    instance: Start, peer: Peer, far_peer: Peer
) -> None:
    inst = await instance(hostname="localhost")
    await inst.community("news")
    group = f"{inst.base}/c/news"
    friend = far_peer.person("friend")
    await join(far_peer, friend, group)
    note, _ = await thread(far_peer, friend, group, "<p>hello</p>")
    await block(inst, "noop", reject_reports=True)
    troll = peer.person("troll")

    for p, person in ((peer, troll), (far_peer, friend)):
        flag = p.activity("Flag", person, note["id"], to=[group], summary="bad post")
        assert (await p.post(person, f"{inst.base}/inbox", flag))[0] == 202

    await until(lambda: Report.exists(reporter=friend.uri))
    await until(lambda: InboxItem.exists(actor=troll.uri, state="done"))
    assert not await Report.exists(reporter=troll.uri)
