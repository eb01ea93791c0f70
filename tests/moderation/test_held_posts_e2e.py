"""Automatic moderation end to end: filters, pre-moderation, link caps, limited servers and rate limits
hold or refuse posts arriving through the inbox; a held post is announced, exactly as any post is,
only when a moderator approves it."""

from __future__ import annotations

import pytest

from fedicom.activitypub.models import OutgoingActivity
from fedicom.errors import BadRequest, Forbidden
from fedicom.groups.models import Group, Moderator, Post
from fedicom.moderation.filters import add_filter, remove_filter
from fedicom.moderation.held import approve_post, list_held, reject_post
from fedicom.moderation.models import DomainBlock, Filter, ModlogEntry
from fedicom.staff.accounts import create_staff
from tests.moderation.helpers import PASSWORD, community_with_moderator
from tests.support.peer import PUBLIC, Peer
from tests.support.steps import announced, boosts, join, post_of, reply, send, thread


async def nothing_announced(group: str, object_id: str) -> bool:
    return not await OutgoingActivity.filter(actor=group, object_id=object_id).exists()


async def test_a_new_members_first_post_waits_for_approval_then_goes_out_as_any_post(
    instance, peer: Peer
) -> None:
    # Given a community that holds new members' posts, with Alice and Bob as members
    inst = await instance(hostname="localhost")
    group, mod = await community_with_moderator(inst, premoderation="new_members")
    alice, bob = peer.person("alice"), peer.person("bob")
    await join(peer, alice, group)
    await join(peer, bob, group)

    # When Alice posts her first thread, it is held: stored with its Create, announced to no one
    note, item = await thread(peer, alice, group, "<p>Hello all</p>")
    post = await post_of(note["id"])
    assert (post.state, post.announce_id, item.error) == ("held", None, None)
    assert "new member's first post" in post.state_reason
    assert post.activity is not None and post.activity["object"]["id"] == note["id"]
    assert await nothing_announced(group, note["id"])
    assert [p.id for p in await list_held()] == [post.id]
    outbox = await peer.get(f"{group}/outbox")
    assert outbox["totalItems"] == 0

    # When the moderator approves it, the Create as received and the boost go out, as for any post
    create = post.activity
    await approve_post(inst.groups, post, mod)
    [wrapped] = await peer.wait_for(lambda: announced(peer, "Create", note["id"]))
    assert wrapped["object"] == create and wrapped["actor"] == group
    await peer.wait_for(lambda: boosts(peer, note["id"]))
    approved = await post_of(note["id"])
    assert (approved.state, approved.activity) == ("visible", None) and approved.announce_id == wrapped["id"]
    assert (await peer.get(f"{group}/outbox"))["totalItems"] == 2
    assert await ModlogEntry.filter(action="approve_post", moderator=mod, community="news").exists()

    # Then her next post is announced at once: she has had a post approved here
    second, _ = await thread(peer, alice, group, "<p>Again</p>")
    await peer.wait_for(lambda: announced(peer, "Create", second["id"]))

    # And Bob's first reply waits; rejected, it is never announced
    answer, _ = await reply(peer, bob, group, note["id"], "<p>Hi Alice</p>")
    held_reply = await post_of(answer["id"])
    assert held_reply.state == "held"
    assert (await Post.get(id=post.id)).reply_count == 0  # a held reply is not counted
    with pytest.raises(BadRequest, match="say why"):
        await reject_post(inst.groups, held_reply, mod, reason=" ")
    await reject_post(inst.groups, held_reply, mod, reason="not helpful")
    rejected = await post_of(answer["id"])
    assert (rejected.state, rejected.state_reason, rejected.activity) == ("removed", "not helpful", None)
    assert await nothing_announced(group, answer["id"])
    entry = await ModlogEntry.get(action="reject_post")
    assert (entry.reason, entry.details["held_because"]) == (
        "not helpful",
        "a new member's first post is reviewed by a moderator",
    )


async def test_filters_hold_or_refuse_and_moderators_are_not_screened(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    group, mod = await community_with_moderator(inst)
    news = await inst.groups.group("news")
    admin = await create_staff("root", PASSWORD, is_admin=True)
    root = inst.site.staff_uri(admin.username)
    alice, remote_mod = peer.person("alice"), peer.person("remote_mod")
    await join(peer, alice, group)
    await join(peer, remote_mod, group)
    await Moderator.create(group=news, actor=remote_mod.uri)
    inst.groups.rosters.forget()

    # Given a community filter that holds and an instance-wide expression that refuses
    held_filter = await add_filter("casino", community=news, site=inst.site, moderator=mod)
    await add_filter(r"free\s+money", regex=True, action="reject", site=inst.site, moderator=root)

    # Then a post matching the expression is refused, with the reason recorded, and not stored
    spam, item = await thread(peer, alice, group, "<p>FREE <b>money</b> for all</p>")
    assert item.error is not None and "matches filter #2 (expression 'free\\s+money')" in item.error
    assert not await Post.exists(object_id=spam["id"])

    # And a post matching the keyword waits for a moderator
    night, _ = await thread(peer, alice, group, "<p>Casino night on Friday?</p>")
    assert (await post_of(night["id"])).state == "held"
    assert "filter #" in (await post_of(night["id"])).state_reason

    # And the community's (remote) moderator is not screened
    mine, _ = await thread(peer, remote_mod, group, "<p>Casino night: yes, and free money</p>")
    assert (await post_of(mine["id"])).state == "visible"

    # And an edit that a filter would hold is refused; the shown version stays
    ok, _ = await thread(peer, alice, group, "<p>Board games</p>")
    edited = {**ok, "content": "<p>Board games at the casino</p>"}
    item = await send(peer, alice, f"{group}/inbox", peer.activity("Update", alice, edited, to=[PUBLIC]))
    assert item.error is not None and "the edit is refused" in item.error
    assert (await post_of(ok["id"])).content == "<p>Board games</p>"

    # When the filter is removed, the same words pass
    await remove_filter(held_filter.id, community=news, site=inst.site, moderator=mod)
    inst.groups.hooks.filters.forget()
    later, _ = await thread(peer, alice, group, "<p>Casino night was fun</p>")
    assert (await post_of(later["id"])).state == "visible"
    actions = set(await ModlogEntry.all().values_list("action", flat=True))
    assert {"add_filter", "remove_filter"} <= actions


async def test_bad_filters_and_unauthorised_staff_change_nothing(instance) -> None:
    inst = await instance(hostname="localhost")
    _, mod = await community_with_moderator(inst)
    await inst.community("other")
    news, other = await Group.get(name="news"), await Group.get(name="other")
    with pytest.raises(BadRequest, match="not a usable regular expression: missing \\)"):
        await add_filter("(free", regex=True, community=news, site=inst.site, moderator=mod)
    with pytest.raises(BadRequest, match="action is one of hold, reject"):
        await add_filter("x", action="delete", community=news, site=inst.site, moderator=mod)
    with pytest.raises(Forbidden, match="does not moderate other"):
        await add_filter("x", community=other, site=inst.site, moderator=mod)
    with pytest.raises(Forbidden, match="is not an instance admin"):
        await add_filter("x", site=inst.site, moderator=mod)
    assert not await Filter.exists()
    assert not await ModlogEntry.exists()


async def test_links_over_the_cap_and_limited_servers_wait_for_a_moderator(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost", max_links=2)
    group, mod = await community_with_moderator(inst)
    alice = peer.person("alice")
    await join(peer, alice, group)
    links = "".join(f'<a href="https://shop.example/{i}">{i}</a> ' for i in range(3))
    note, _ = await thread(peer, alice, group, f"<p>{links}</p>")
    held = await post_of(note["id"])
    assert held.state == "held" and "3 links; more than 2" in held.state_reason

    # A community's own cap replaces the instance default
    await Group.filter(name="news").update(max_links=5)
    inst.groups.forget_group("news")
    fine, _ = await thread(peer, alice, group, f"<p>{links}</p><p>again</p>")
    assert (await post_of(fine["id"])).state == "visible"

    # A limited server's posts wait too (defederation's hold_reason)
    await DomainBlock.create(domain="127.0.0.1", severity="limit")
    inst.groups.defed.forget()
    limited, _ = await thread(peer, alice, group, "<p>From a limited server</p>")
    post = await post_of(limited["id"])
    assert post.state == "held" and "127.0.0.1 is limited" in post.state_reason
    await approve_post(inst.groups, post, mod)
    await peer.wait_for(lambda: announced(peer, "Create", limited["id"]))


async def test_an_edit_while_held_is_what_approval_announces(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    group, mod = await community_with_moderator(inst, premoderation="all")
    alice = peer.person("alice")
    await join(peer, alice, group)
    note, _ = await thread(peer, alice, group, "<p>first version</p>")
    edited = {**note, "content": "<p>second version</p>"}
    update = peer.activity("Update", alice, edited, to=[PUBLIC])
    await send(peer, alice, f"{group}/inbox", update)
    held = await post_of(note["id"])
    assert (held.state, held.content, held.activity) == ("held", "<p>second version</p>", update)
    # only the Accept of the Follow and the notice that the post waits: nothing announced
    assert await OutgoingActivity.filter(actor=group).count() == 2
    assert not await OutgoingActivity.filter(actor=group, type="Announce").exists()

    # A reply to a thread still waiting for review is refused
    _, item = await reply(peer, alice, group, note["id"], "<p>me too</p>")
    assert item.error is not None and "waiting for a moderator" in item.error

    await approve_post(inst.groups, held, mod)
    [wrapped] = await peer.wait_for(lambda: announced(peer, "Update", note["id"]))
    assert wrapped["object"] == update
    await peer.wait_for(lambda: boosts(peer, note["id"]))


async def test_rate_limits_refuse_posts_per_actor_and_per_server(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost", rate_limit_actor=2, rate_limit_server=3)
    group, _ = await community_with_moderator(inst)
    alice, bob = peer.person("alice"), peer.person("bob")
    await join(peer, alice, group)
    await join(peer, bob, group)
    for i in range(2):
        _, item = await thread(peer, alice, group, f"<p>post {i}</p>")
        assert item.error is None
    _, item = await thread(peer, alice, group, "<p>one too many</p>")
    assert item.error is not None and "2 posts in the last hour; the limit is 2" in item.error
    _, item = await thread(peer, bob, group, "<p>bob's first</p>")
    assert item.error is None
    _, item = await thread(peer, bob, group, "<p>bob's second</p>")
    assert item.error is not None and "127.0.0.1" in item.error and "the limit is 3" in item.error
    assert await Post.all().count() == 3


async def test_a_held_post_takes_no_votes_and_is_not_counted_in_nodeinfo(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    group, _ = await community_with_moderator(inst, premoderation="all")
    alice, bob = peer.person("alice"), peer.person("bob")
    await join(peer, alice, group)
    await join(peer, bob, group)
    note, _ = await thread(peer, alice, group, "<p>Held for review</p>")
    like = peer.activity("Like", bob, note["id"])
    await send(peer, bob, f"{group}/inbox", like)
    post = await post_of(note["id"])
    assert (post.state, post.upvotes) == ("held", 0)
    assert not await OutgoingActivity.filter(actor=group, object_id=like["id"]).exists()
    nodeinfo = await peer.get(f"{inst.base}/nodeinfo/2.1")
    assert nodeinfo["usage"]["localPosts"] == 0
