"""Removals end to end: a moderator's removal reaches a Lemmy-like member as `Announce{Delete{summary}}`
and a Mastodon-like follower as `Undo{Announce}` of the boost, both signed by the group; a restore
brings the post back everywhere; bad requests change nothing."""

from __future__ import annotations

import pytest

from fedicom.activitypub.models import OutgoingActivity
from fedicom.errors import BadRequest, Forbidden
from fedicom.groups.models import Moderator, Post
from fedicom.moderation.models import ModlogEntry
from fedicom.moderation.removals import remove_post, restore_post
from fedicom.staff.accounts import create_staff
from tests.moderation.helpers import PASSWORD, community_with_moderator
from tests.support.peer import PUBLIC, Peer
from tests.support.steps import announced, boosts, join, post_of, reply, thread


def signed_by_group(p: Peer, activity_id: str, group: str) -> bool:
    return any(r.activity.get("id") == activity_id and r.signer == group for r in p.received)


async def test_a_removal_reaches_lemmy_as_a_delete_and_mastodon_as_an_undone_boost(
    instance, peer: Peer, far_peer: Peer
) -> None:
    # Given a community with a member on a Lemmy-like server (peer) and one on a Mastodon-like server
    # (far_peer), and a thread by the Lemmy member that both saw (the Mastodon one as a boost)
    inst = await instance(hostname="localhost")
    group, mod = await community_with_moderator(inst)
    alice, carol = peer.person("alice"), far_peer.person("carol")
    await join(peer, alice, group)
    await join(far_peer, carol, group)
    note, _ = await thread(peer, alice, group, "<p>Buy my stuff</p>")
    [boost] = await far_peer.wait_for(lambda: boosts(far_peer, note["id"]))
    post = await post_of(note["id"])

    # When the moderator removes it, citing rule 2
    delete = await remove_post(inst.groups, post, mod, rule=2, reason="(advertising)")

    # Then the Lemmy-like member gets Announce{Delete} from the group, the Delete as Lemmy reads it
    [wrapped] = await peer.wait_for(lambda: announced(peer, "Delete", note["id"]))
    assert signed_by_group(peer, wrapped["id"], group) and wrapped["actor"] == group
    inner = wrapped["object"]
    assert inner == delete
    assert (inner["actor"], inner["object"], inner["to"], inner["cc"], inner["audience"]) == (
        mod,
        note["id"],
        [PUBLIC],
        [group],
        group,
    )
    assert inner["summary"] == "Rule 2: Stay on topic. (advertising)"
    # the moderator's Person (on the community's domain: Lemmy trusts it) and the Delete dereference
    person = await peer.get(mod)
    assert person["type"] == "Person" and person["publicKey"]["owner"] == mod
    assert (await peer.get(delete["id"]))["summary"] == inner["summary"]

    # And the Mastodon-like member gets Undo of the very boost it holds, from the group
    [undo] = await far_peer.wait_for(lambda: far_peer.received_of("Undo"))
    assert signed_by_group(far_peer, undo["id"], group)
    assert (undo["actor"], undo["object"]["id"], undo["object"]["object"]) == (group, boost["id"], note["id"])

    # And the post is hidden here, with the reason and a modlog entry citing the rule
    removed = await post_of(note["id"])
    assert (removed.state, removed.state_reason) == ("removed", inner["summary"])
    assert (await peer.get(f"{group}/outbox"))["totalItems"] == 0
    page = await peer.get_status(group, accept="text/html")
    assert "Buy my stuff" not in page[2]
    entry = await ModlogEntry.get(action="remove_post")
    assert (entry.moderator, entry.target, entry.community, entry.details["rule"]) == (
        mod,
        note["id"],
        "news",
        2,
    )

    # When the moderator restores it
    restore = await restore_post(inst.groups, removed, mod, reason="appeal accepted")

    # Then Lemmy gets Undo{the Delete}, Mastodon a new boost, and the post shows again
    [undone] = await peer.wait_for(lambda: announced(peer, "Undo", None))
    assert undone["object"] == restore and restore["object"]["id"] == delete["id"]
    await far_peer.wait_for(lambda: [b for b in boosts(far_peer, note["id"]) if b["id"] != boost["id"]])
    assert (await post_of(note["id"])).state == "visible"
    items = (await peer.get(f"{group}/outbox"))["orderedItems"]
    assert any(isinstance(a["object"], dict) and a["object"]["type"] == "Create" for a in items)
    assert await ModlogEntry.filter(action="restore_post", reason="appeal accepted").exists()


async def test_replies_to_a_removed_thread_are_refused_and_removed_comments_not_counted(
    instance, peer: Peer
) -> None:
    inst = await instance(hostname="localhost")
    group, mod = await community_with_moderator(inst)
    alice, bob = peer.person("alice"), peer.person("bob")
    await join(peer, alice, group)
    await join(peer, bob, group)
    note, _ = await thread(peer, alice, group, "<p>A thread</p>")
    answer, _ = await reply(peer, bob, group, note["id"], "<p>rude</p>")
    assert (await Post.get(object_id=note["id"])).reply_count == 1

    # A removed comment leaves the count, and nothing may reply to it
    await remove_post(inst.groups, await post_of(answer["id"]), mod, reason="rude")
    assert (await Post.get(object_id=note["id"])).reply_count == 0
    [wrapped] = await peer.wait_for(lambda: announced(peer, "Delete", answer["id"]))
    assert wrapped["object"]["summary"] == "rude"
    assert not peer.received_of("Undo")  # a comment was never boosted
    _, item = await reply(peer, alice, group, answer["id"], "<p>why?</p>")
    assert item.error is not None and "the comment it replies to was removed by a moderator" in item.error

    # A removed thread takes replies with it: new ones are refused
    await remove_post(inst.groups, await post_of(note["id"]), mod, rule=1)
    _, item = await reply(peer, bob, group, note["id"], "<p>late</p>")
    assert item.error is not None and "the thread it replies to was removed" in item.error


async def test_bad_removals_change_nothing(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    group, mod = await community_with_moderator(inst)
    await inst.community("other")
    await create_staff("olga", PASSWORD)
    olga = inst.site.staff_uri("olga")
    await Moderator.create(group=await inst.groups.group("other"), actor=olga)
    alice = peer.person("alice")
    await join(peer, alice, group)
    note, _ = await thread(peer, alice, group, "<p>fine</p>")
    post = await post_of(note["id"])
    before = await OutgoingActivity.all().count()

    with pytest.raises(Forbidden, match="does not moderate news"):
        await remove_post(inst.groups, post, olga, reason="spam")
    with pytest.raises(BadRequest, match="news has 2 rules; there is no rule 7"):
        await remove_post(inst.groups, post, mod, rule=7)
    with pytest.raises(BadRequest, match="say why"):
        await remove_post(inst.groups, post, mod)
    with pytest.raises(BadRequest, match="is not removed"):
        await restore_post(inst.groups, post, mod)
    assert (await post_of(note["id"])).state == "visible"
    assert await OutgoingActivity.all().count() == before
    assert not await ModlogEntry.exists()

    await remove_post(inst.groups, post, mod, reason="spam")
    with pytest.raises(BadRequest, match="already removed"):
        await remove_post(inst.groups, await post_of(note["id"]), mod, reason="again")
