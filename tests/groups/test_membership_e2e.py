"""Membership and posting end to end: who joins, whose posts are announced, what a newcomer receives.

A real fedicom instance and a real peer on loopback; posts and follows go through the signed inbox,
and every assertion is on what the peer received or on the resulting state.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from fedicom.activitypub.models import InboxItem, OutgoingActivity
from fedicom.groups import membership, posts
from fedicom.groups.models import Membership, Moderator, Post
from tests.support.peer import PUBLIC, Peer, Person
from tests.support.servers import Instance
from tests.support.steps import announced, join, send, until

# --- helpers


async def post(
    peer: Peer,
    inst: Instance,
    author: Person,
    content: str,
    *,
    to_groups: list[str],
    in_reply_to: str | None = None,
    **extra: Any,
) -> tuple[dict[str, Any], InboxItem]:
    """A public Create{Note} sent to the shared inbox, as Mastodon sends a post mentioning a group."""
    fields: dict[str, Any] = dict(extra)
    if in_reply_to:
        fields["inReplyTo"] = in_reply_to
    note = peer.note(author, content, to=[PUBLIC], cc=to_groups, **fields)
    create = peer.activity("Create", author, note, to=[PUBLIC], cc=to_groups)
    return note, await send(peer, author, f"{inst.base}/inbox", create)


async def group_announces_of(object_id: str) -> int:
    return await OutgoingActivity.filter(type="Announce", object_id=object_id).count()


# --- private communities


async def test_follow_of_a_private_community_stays_pending(instance, peer: Peer) -> None:
    inst = await instance()
    await inst.community("secret", private=True)
    uri = f"{inst.base}/c/secret"
    alice = peer.person("alice")

    actor = await peer.get(uri)
    follow = peer.activity("Follow", alice, uri)
    await send(peer, alice, f"{uri}/inbox", follow)

    assert actor["manuallyApprovesFollowers"] is True
    assert (await Membership.get(actor=alice.uri)).state == "pending"
    assert await OutgoingActivity.filter(type__in=["Accept", "Reject"]).count() == 0
    assert (await peer.get(f"{uri}/followers"))["totalItems"] == 0
    assert not peer.received


async def test_approving_a_request_delivers_accept_with_the_follow_embedded(instance, peer: Peer) -> None:
    inst = await instance()
    group = await inst.community("secret", private=True)
    uri = f"{inst.base}/c/secret"
    alice = peer.person("alice")
    follow = peer.activity("Follow", alice, uri)
    await send(peer, alice, f"{uri}/inbox", follow)

    await membership.approve(inst.groups, group, alice.uri)

    accept = (await peer.wait_for(lambda: peer.received_of("Accept")))[0]
    assert accept["actor"] == uri and accept["to"] == [alice.uri]
    assert accept["object"] == follow
    assert (await Membership.get(actor=alice.uri)).state == "accepted"
    assert (await peer.get(f"{uri}/followers"))["totalItems"] == 1
    assert not peer.rejected, peer.rejected


async def test_rejecting_a_request_delivers_reject_and_forgets_the_request(instance, peer: Peer) -> None:
    inst = await instance()
    group = await inst.community("secret", private=True)
    uri = f"{inst.base}/c/secret"
    alice = peer.person("alice")
    follow = peer.activity("Follow", alice, uri)
    await send(peer, alice, f"{uri}/inbox", follow)

    await membership.reject(inst.groups, group, alice.uri)

    reject = (await peer.wait_for(lambda: peer.received_of("Reject")))[0]
    assert reject["actor"] == uri and reject["object"] == follow
    assert not await Membership.exists(actor=alice.uri)
    assert not peer.received_of("Accept")


# --- who may post


async def test_members_posts_are_announced_and_strangers_posts_are_not(instance, peer: Peer) -> None:
    inst = await instance()
    await inst.community("news")  # posting policy "members" by default
    uri = f"{inst.base}/c/news"
    alice, mallory = peer.person("alice"), peer.person("mallory")
    await join(peer, alice, uri)

    member_note, _ = await post(peer, inst, alice, "<p>from a member</p>", to_groups=[uri])
    stranger_note, _ = await post(peer, inst, mallory, "<p>from a stranger</p>", to_groups=[uri])

    await peer.wait_for(lambda: announced(peer, "Create", member_note["id"]))
    assert await group_announces_of(stranger_note["id"]) == 0
    assert not await Post.exists(object_id=stranger_note["id"])
    assert not announced(peer, "Create", stranger_note["id"])


async def test_open_community_announces_anyones_public_post(instance, peer: Peer) -> None:
    inst = await instance()
    await inst.community("open", posting_policy="open")
    uri = f"{inst.base}/c/open"
    alice, mallory = peer.person("alice"), peer.person("mallory")
    await join(peer, alice, uri)

    note, _ = await post(peer, inst, mallory, "<p>hello from outside</p>", to_groups=[uri])

    wrapped = await peer.wait_for(lambda: announced(peer, "Create", note["id"]))
    assert wrapped[0]["actor"] == uri
    boosts = await peer.wait_for(
        lambda: [a for a in peer.received_of("Announce", inner="uri") if a["object"] == note["id"]]
    )
    assert mallory.uri in boosts[0]["cc"]


async def test_announcement_channel_announces_only_moderators_threads_but_members_replies(
    instance, peer: Peer
) -> None:
    inst = await instance()
    group = await inst.community("announcements", posting_policy="moderators")
    uri = f"{inst.base}/c/announcements"
    mod, alice, mallory = peer.person("mod"), peer.person("alice"), peer.person("mallory")
    await Moderator.create(group=group, actor=mod.uri)
    await join(peer, alice, uri)

    member_thread, _ = await post(peer, inst, alice, "<p>my own thread</p>", to_groups=[uri])
    mod_thread, _ = await post(peer, inst, mod, "<p>release 1.0</p>", to_groups=[uri])
    reply, _ = await post(peer, inst, alice, "<p>congrats</p>", to_groups=[uri], in_reply_to=mod_thread["id"])
    stranger_reply, _ = await post(
        peer, inst, mallory, "<p>spam</p>", to_groups=[uri], in_reply_to=mod_thread["id"]
    )

    await peer.wait_for(
        lambda: announced(peer, "Create", mod_thread["id"]) and announced(peer, "Create", reply["id"])
    )
    assert await group_announces_of(member_thread["id"]) == 0
    assert await group_announces_of(stranger_reply["id"]) == 0
    assert (await peer.get(uri))["postingRestrictedToMods"] is True


@pytest.mark.parametrize(("groups", "announced_in_news"), [(3, True), (4, False)])
async def test_post_mentioning_more_groups_than_allowed_is_not_announced(
    instance, peer: Peer, groups: int, announced_in_news: bool
) -> None:
    """Guppe #72: spam tags many groups at once; the default limit is 3."""
    inst = await instance()
    names = ["news", "tech", "art", "music"][:groups]
    for name in names:
        await inst.community(name)
    uris = [f"{inst.base}/c/{name}" for name in names]
    alice = peer.person("alice")
    await join(peer, alice, uris[0])
    tags = [
        {"type": "Mention", "href": u, "name": f"@{n}@{inst.settings.domain}"}
        for u, n in zip(uris, names, strict=True)
    ]

    note, item = await post(peer, inst, alice, "<p>look at this</p>", to_groups=uris, tag=tags)

    if announced_in_news:
        await peer.wait_for(lambda: announced(peer, "Create", note["id"]))
        assert item.error is None
    else:
        assert await group_announces_of(note["id"]) == 0
        assert not await Post.exists(object_id=note["id"])
        assert item.error and "4 groups" in item.error


async def test_a_cross_post_is_stored_and_announced_in_every_community_or_in_none(
    instance, peer: Peer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The inbox item is done only together with every community's copy: a failure half-way stores
    nothing and leaves the activity to be retried, never half-applied and marked done."""
    inst = await instance()
    uris = [f"{inst.base}/c/{name}" for name in ("news", "pets")]
    for name in ("news", "pets"):
        await inst.community(name)
    alice = peer.person("alice")
    for uri in uris:
        await join(peer, alice, uri)
    published: list[str] = []
    real_publish = posts.publish

    async def failing_in_pets(ctx: Any, group: Any, *args: Any, **kw: Any) -> None:
        published.append(group.name)
        if group.name == "pets":  # every try (a run's, then the item's own): it stays failed
            raise RuntimeError("the database went away")
        await real_publish(ctx, group, *args, **kw)

    monkeypatch.setattr(posts, "publish", failing_in_pets)
    note = peer.note(alice, "<p>twice</p>", to=[PUBLIC], cc=uris)
    create = peer.activity("Create", alice, note, to=[PUBLIC], cc=uris)
    assert (await peer.post(alice, f"{inst.base}/inbox", create))[0] == 202

    item = await until(lambda: InboxItem.get_or_none(activity_id=create["id"], error__isnull=False))
    assert item.state == "pending" and "the database went away" in (item.error or "")
    assert published[:2] == ["news", "pets"]  # it failed half-way: the first community's copy was made
    assert not await Post.exists(object_id=note["id"])
    assert await group_announces_of(note["id"]) == 0

    # Without the failure, both copies are there as soon as the item is done
    monkeypatch.undo()
    other = peer.note(alice, "<p>again</p>", to=[PUBLIC], cc=uris)
    await send(peer, alice, f"{inst.base}/inbox", peer.activity("Create", alice, other, to=[PUBLIC], cc=uris))
    assert await Post.filter(object_id=other["id"]).count() == 2
    assert await group_announces_of(other["id"]) == 4  # each community: the Create and the boost


# --- replies


async def test_reply_to_a_thread_is_announced_and_counted(instance, peer: Peer) -> None:
    inst = await instance()
    await inst.community("news")
    uri = f"{inst.base}/c/news"
    alice, bob = peer.person("alice"), peer.person("bob")
    await join(peer, alice, uri)
    await join(peer, bob, uri)
    thread, _ = await post(peer, inst, alice, "<p>thread</p>", to_groups=[uri])

    # a Mastodon reply: addressed to the parent's author, not to the group
    reply, _ = await post(peer, inst, bob, "<p>reply</p>", to_groups=[alice.uri], in_reply_to=thread["id"])

    await peer.wait_for(lambda: announced(peer, "Create", reply["id"]))
    root = await Post.get(object_id=thread["id"])
    assert root.reply_count == 1
    assert (await Post.get(object_id=reply["id"])).root_id == root.id  # type: ignore[attr-defined]


async def test_reply_to_a_note_in_no_group_is_not_announced(instance, peer: Peer) -> None:
    inst = await instance()
    await inst.community("news")
    uri = f"{inst.base}/c/news"
    alice, bob = peer.person("alice"), peer.person("bob")
    await join(peer, bob, uri)
    elsewhere = peer.note(alice, "<p>just a toot</p>", to=[PUBLIC])  # served by the peer, in no group

    reply, _ = await post(peer, inst, bob, "<p>reply</p>", to_groups=[alice.uri], in_reply_to=elsewhere["id"])
    gone, _ = await post(
        peer,
        inst,
        bob,
        "<p>reply</p>",
        to_groups=[alice.uri],
        in_reply_to=f"{peer.base}/objects/never-existed",
    )

    for note in (reply, gone):
        assert await group_announces_of(note["id"]) == 0
        assert not await Post.exists(object_id=note["id"])


async def test_reply_under_a_reply_fedicom_never_saw_still_joins_the_thread(instance, peer: Peer) -> None:
    """thread (in the group) <- middle (only on the peer) <- leaf: fedicom fetches up the chain."""
    inst = await instance()
    await inst.community("news")
    uri = f"{inst.base}/c/news"
    alice, bob, carol = peer.person("alice"), peer.person("bob"), peer.person("carol")
    await join(peer, alice, uri)
    await join(peer, bob, uri)
    thread, _ = await post(peer, inst, alice, "<p>thread</p>", to_groups=[uri])
    middle = peer.note(carol, "<p>middle</p>", to=[PUBLIC], cc=[alice.uri], inReplyTo=thread["id"])

    leaf, _ = await post(peer, inst, bob, "<p>leaf</p>", to_groups=[carol.uri], in_reply_to=middle["id"])

    await peer.wait_for(lambda: announced(peer, "Create", leaf["id"]))
    root = await Post.get(object_id=thread["id"])
    assert (await Post.get(object_id=leaf["id"])).root_id == root.id  # type: ignore[attr-defined]
    assert root.reply_count == 1


# --- newcomers


class SlowAcceptPeer(Peer):
    """A server that takes a while to process a Follow's Accept, as a busy Mastodon does.

    Mastodon drops an Announce from a group it does not yet follow, so backfill that overtakes the
    Accept is lost: the order must hold whatever the latency.
    """

    async def _inbox(self, request: web.Request) -> web.Response:
        if json.loads(await request.read()).get("type") == "Accept":
            await asyncio.sleep(0.3)
        return await super()._inbox(request)


@pytest.fixture
async def slow_peer() -> AsyncIterator[Peer]:
    p = SlowAcceptPeer()
    await p.start()
    yield p
    await p.stop()


async def test_newcomer_gets_accept_first_then_the_ten_latest_threads(
    instance, peer: Peer, slow_peer: Peer
) -> None:
    inst = await instance()
    await inst.community("news")
    uri = f"{inst.base}/c/news"
    alice = peer.person("alice")
    await join(peer, alice, uri)
    threads = [(await post(peer, inst, alice, f"<p>thread {i}</p>", to_groups=[uri]))[0] for i in range(12)]
    carol = slow_peer.person("carol")

    follow = slow_peer.activity("Follow", carol, uri)
    await send(slow_peer, carol, f"{uri}/inbox", follow)

    arrived = await slow_peer.wait_for(lambda: len(slow_peer.received) >= 21 and slow_peer.received)
    assert arrived[0].activity["type"] == "Accept" and arrived[0].activity["object"] == follow
    latest = {t["id"] for t in threads[-10:]}
    creates = [
        r.activity
        for r in arrived
        if isinstance(r.activity.get("object"), dict) and r.activity["object"].get("type") == "Create"
    ]
    boosts = [
        r.activity
        for r in arrived
        if r.activity["type"] == "Announce" and isinstance(r.activity["object"], str)
    ]
    assert {a["object"]["object"]["id"] for a in creates} == latest
    assert {a["object"] for a in boosts} == latest
    assert len(arrived) == 21
    assert not slow_peer.rejected, slow_peer.rejected


async def test_approved_member_of_a_private_community_gets_accept_before_backfill(
    instance, peer: Peer, slow_peer: Peer
) -> None:
    inst = await instance()
    group = await inst.community("secret", private=True)
    uri = f"{inst.base}/c/secret"
    alice = peer.person("alice")
    await send(peer, alice, f"{uri}/inbox", peer.activity("Follow", alice, uri))
    await membership.approve(inst.groups, group, alice.uri)
    await peer.wait_for(lambda: peer.received_of("Accept"))
    threads = [(await post(peer, inst, alice, f"<p>secret {i}</p>", to_groups=[uri]))[0] for i in range(3)]
    carol = slow_peer.person("carol")
    follow = slow_peer.activity("Follow", carol, uri)
    await send(slow_peer, carol, f"{uri}/inbox", follow)

    await membership.approve(inst.groups, group, carol.uri)

    arrived = await slow_peer.wait_for(lambda: len(slow_peer.received) >= 7 and slow_peer.received)
    assert arrived[0].activity["type"] == "Accept" and arrived[0].activity["object"] == follow
    creates = [
        r.activity["object"]["object"]["id"] for r in arrived[1:] if isinstance(r.activity["object"], dict)
    ]
    assert set(creates) == {t["id"] for t in threads}


async def test_follow_from_a_group_actor_is_accepted(instance, peer: Peer) -> None:
    """NodeBB categories (and other groups) follow communities too."""
    inst = await instance()
    await inst.community("news")
    uri = f"{inst.base}/c/news"
    category = peer.person("general", doc_extra={"type": "Group"})
    assert (await peer.get(category.uri))["type"] == "Group"

    follow = await join(peer, category, uri)

    accept = peer.received_of("Accept")[0]
    assert accept["object"] == follow and accept["to"] == [category.uri]
    assert (await Membership.get(actor=category.uri)).state == "accepted"
