"""Notifications end to end: what members do on other servers lands in the right staff inboxes, once,
in the transaction that stores it."""

from __future__ import annotations

import pytest

from fedicom.errors import NotFound
from fedicom.groups.models import Group, Post
from fedicom.notifications.inbox import (
    InboxFilter,
    list_notifications,
    mark_all_read,
    mark_read,
    unread_count,
)
from fedicom.notifications.models import Notification
from fedicom.staff.accounts import create_staff
from fedicom.staff.models import Staff
from tests.moderation.helpers import PASSWORD, moderator
from tests.notifications.conftest import staff_post_scene
from tests.support.peer import Peer
from tests.support.steps import reply, send, thread


async def inbox_of(name: str) -> list[tuple[str, str | None, str, str, str]]:
    staff = await Staff.get(username=name)
    rows = await list_notifications(staff)
    return [(n.kind, n.community.name if n.community else None, n.actor, n.url, n.excerpt) for n in rows]


async def test_a_members_reply_to_a_staff_post_tells_its_author(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await staff_post_scene(inst, peer)
    note, _ = await reply(
        peer, scene.bob, scene.group, scene.staff_post.object_id, "<p>Hi <b>mia</b> &amp; all</p>"
    )
    stored = await Post.get(object_id=note["id"])
    assert await inbox_of("mia") == [
        ("reply", "news", scene.bob.uri, f"{inst.base}/c/news/p/{stored.id}", "Hi mia & all")
    ]
    # a reply to the reply is bob's business, not mia's
    await reply(peer, scene.bob, scene.group, note["id"], "<p>and me again</p>")
    assert len(await inbox_of("mia")) == 1


async def test_a_mention_of_a_staff_member_or_written_to_the_community_reaches_them(
    instance, peer: Peer
) -> None:
    inst = await instance()
    scene = await staff_post_scene(inst, peer)
    await create_staff("otto", PASSWORD)
    otto = inst.site.staff_uri("otto")
    tag = [{"type": "Mention", "href": otto, "name": "@otto"}]
    await thread(peer, scene.bob, scene.group, "<p>@otto have a look</p>", tag=tag)
    [(kind, community, actor, _url, _text)] = await inbox_of("otto")
    assert (kind, community, actor) == ("mention", "news", scene.bob.uri)
    # naming the community in a reply calls its moderators; addressing a thread to it does not
    calls = [{"type": "Mention", "href": scene.group, "name": "@news"}]
    first, _ = await thread(peer, scene.bob, scene.group, "<p>@news my first post</p>", tag=calls)
    assert await inbox_of("mia") == []
    text = "<p>@news this thread needs a moderator</p>"
    await thread(peer, scene.bob, scene.group, text, tag=calls, inReplyTo=first["id"])
    [(kind, *_rest)] = await inbox_of("mia")
    assert kind == "mention"


async def test_join_requests_reports_and_held_posts_tell_the_communitys_moderators(
    instance, peer: Peer
) -> None:
    inst = await instance()
    scene = await staff_post_scene(inst, peer)
    await create_staff("ada", PASSWORD, is_admin=True)
    await Group.filter(name="news").update(private=True, premoderation="all")
    inst.groups.forget_group("news")
    erin = peer.person("erin")
    follow = peer.activity("Follow", erin, scene.group)
    await send(peer, erin, f"{scene.group}/inbox", follow)
    note, _ = await thread(peer, scene.bob, scene.group, "<p>Please approve me</p>", name="Held thread")
    flag = peer.activity("Flag", scene.bob, note["id"], to=[scene.group], content="spam <i>everywhere</i>")
    await send(peer, scene.bob, f"{scene.group}/inbox", flag)
    got = await inbox_of("mia")
    kinds = [(kind, url.removeprefix(inst.base)) for kind, _c, _a, url, _t in got]
    report_id = kinds[0][1].rsplit("/", 1)[1]
    assert kinds == [
        ("report", f"/staff/reports/{report_id}"),
        ("held_post", "/staff/c/news/held"),
        ("join_request", "/staff/c/news/members"),
    ]
    assert got[0][4] == "spam everywhere"  # the report reason as plain text
    assert got[1][4] == "Held thread: Please approve me"
    assert await inbox_of("ada") == []  # the community has a moderator of its own


async def test_a_report_about_the_instance_tells_its_admins_and_a_community_without_staff_too(
    instance, peer: Peer
) -> None:
    inst = await instance()
    await create_staff("ada", PASSWORD, is_admin=True)
    await inst.community("quiet")
    troll = peer.person("troll")
    flag = peer.activity("Flag", troll, troll.uri, to=[f"{inst.base}/actor"], content="a troll account")
    await send(peer, troll, f"{inst.base}/inbox", flag)
    bob = peer.person("bob")
    follow = peer.activity("Follow", bob, inst.site.uri("quiet"))
    await Group.filter(name="quiet").update(private=True)
    inst.groups.forget_group("quiet")
    await send(peer, bob, f"{inst.site.uri('quiet')}/inbox", follow)
    assert [(k, c) for k, c, *_ in await inbox_of("ada")] == [("join_request", "quiet"), ("report", None)]


async def test_nobody_is_told_of_an_ordinary_post_and_staff_are_never_told_of_their_own(
    instance, peer: Peer
) -> None:
    inst = await instance()
    scene = await staff_post_scene(inst, peer)
    await thread(peer, scene.bob, scene.group, "<p>Just chatting</p>")
    assert await Notification.all().count() == 0
    await moderator(inst, "news", "otto")
    # a disabled moderator is told nothing
    await Staff.filter(username="otto").update(disabled=True)
    await Group.filter(name="news").update(premoderation="all")
    inst.groups.forget_group("news")
    await thread(peer, scene.bob, scene.group, "<p>held</p>")
    assert [k for k, *_ in await inbox_of("mia")] == ["held_post"] and await inbox_of("otto") == []


async def test_reading_one_or_all_clears_the_unread_count(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await staff_post_scene(inst, peer)
    for text in ("one", "two", "three"):
        await reply(peer, scene.bob, scene.group, scene.staff_post.object_id, f"<p>{text}</p>")
    mia = await Staff.get(username="mia")
    assert await unread_count(mia) == 3
    newest = (await list_notifications(mia))[0]
    await mark_read(mia, newest.id)
    await mark_read(mia, newest.id)  # again: nothing changes
    assert await unread_count(mia) == 2
    assert [n.excerpt for n in await list_notifications(mia, InboxFilter(unread=True))] == ["two", "one"]
    other = await create_staff("otto", PASSWORD)
    with pytest.raises(NotFound):
        await mark_read(other, newest.id)  # never someone else's
    assert await mark_all_read(mia, InboxFilter(kind=InboxFilter.parse(kind="mention").kind)) == 0
    assert await mark_all_read(mia) == 2 and await unread_count(mia) == 0
