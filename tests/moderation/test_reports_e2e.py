"""Reports end to end: Flags in Lemmy's and Mastodon's shapes land in the community's queue, reach its
moderators on other servers signed by the instance actor and without the reporter, and are closed
with a reason that the remote moderators learn too."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fedicom.activitypub.models import InboxItem
from fedicom.errors import BadRequest, Forbidden, NotFound
from fedicom.groups.models import Moderator, Post
from fedicom.moderation import reports
from fedicom.moderation.models import DomainBlock, ModlogEntry, Report
from fedicom.staff.accounts import create_staff
from fedicom.staff.models import Staff
from tests.moderation.helpers import PASSWORD, moderator
from tests.support.peer import PUBLIC, Peer, Person
from tests.support.servers import Instance
from tests.support.steps import join, send, thread

Scene = tuple[str, Staff, Person, Person, Person, dict[str, Any]]


async def setup(inst: Instance, peer: Peer, member_peer: Peer, mod_peer: Peer) -> Scene:
    """news, moderated by local staff `mod` and by carol (on `mod_peer`); a thread by a troll (on
    `peer`); a member who reports (on `member_peer`)."""
    await inst.community("news")
    group = f"{inst.base}/c/news"
    staff = await moderator(inst, "news")
    carol = mod_peer.person("carol")
    await Moderator.create(group=await inst.groups.group("news"), actor=carol.uri)
    troll, reporter = peer.person("troll"), member_peer.person("reporter")
    await join(peer, troll, group)
    await join(member_peer, reporter, group)
    note, _ = await thread(peer, troll, group, "<p>buy now</p>")
    return group, staff, carol, troll, reporter, note


async def test_a_lemmy_flag_is_queued_and_forwarded_to_remote_moderators_without_the_reporter(
    instance, peer: Peer, far_peer: Peer, third_peer: Peer
) -> None:
    inst: Instance = await instance(hostname="localhost")
    group, staff, _carol, troll, reporter, note = await setup(inst, peer, far_peer, third_peer)

    # When a member reports the thread the way Lemmy does
    flag = far_peer.activity(
        "Flag", reporter, note["id"], to=[group], audience=group, summary="<p>spam &amp; scams</p>"
    )
    await send(far_peer, reporter, f"{group}/inbox", flag)

    # Then it is in the community's queue
    [report] = await reports.list_reports(inst.groups, staff)
    assert (report.community.name, report.reporter, report.author) == ("news", reporter.uri, troll.uri)
    assert (report.targets, report.reason, report.state) == ([note["id"]], "spam & scams", "open")

    # And carol's server gets it from the instance actor, in Lemmy's shape, not naming the reporter
    [got] = await third_peer.wait_for(
        lambda: [r for r in third_peer.received if r.activity["type"] == "Flag"]
    )
    assert got.signer == f"{inst.base}/actor"
    forwarded = got.activity
    assert (forwarded["actor"], forwarded["to"], forwarded["object"]) == (
        f"{inst.base}/actor",
        [group],
        note["id"],
    )
    assert forwarded["summary"] == "spam & scams" and forwarded["audience"] == group
    assert reporter.uri not in json.dumps(forwarded) and far_peer.base not in json.dumps(forwarded)
    assert not far_peer.received_of("Flag") and not peer.received_of("Flag")

    # When the local moderator resolves it
    await reports.resolve_report(inst.groups, staff, report.id, reason="thread removed")

    # Then it is closed, logged, and carol's server learns it with Lemmy's Resolve{Flag}
    closed = await Report.get(id=report.id)
    assert (closed.state, closed.resolution, closed.resolved_by) == (
        "resolved",
        "thread removed",
        f"{inst.base}/u/mod",
    )
    entry = await ModlogEntry.get(action="resolve_report")
    assert (entry.target, entry.reason, entry.community) == (f"report #{report.id}", "thread removed", "news")
    resolve = await third_peer.wait_for(lambda: third_peer.received_of("Resolve"))
    assert resolve[0]["object"] == {k: v for k, v in forwarded.items() if k != "@context"}
    assert resolve[0]["actor"] == f"{inst.base}/u/mod"
    with pytest.raises(BadRequest, match="already resolved"):
        await reports.dismiss_report(inst.groups, staff, report.id, reason="again")


async def test_a_mastodon_flag_is_queued_under_the_community_of_the_reported_posts(
    instance, peer: Peer, far_peer: Peer, third_peer: Peer
) -> None:
    inst: Instance = await instance(hostname="localhost")
    _group, staff, _carol, troll, _, note = await setup(inst, peer, far_peer, third_peer)
    # Mastodon reports as its instance actor, to the shared inbox, object = [account, statuses]
    instance_actor = far_peer.person("actor")
    flag = far_peer.activity(
        "Flag", instance_actor, [troll.uri, note["id"]], content="Please take a look", to=troll.uri
    )
    await send(far_peer, instance_actor, f"{inst.base}/inbox", flag)

    [report] = await Report.all().prefetch_related("community")
    assert (report.community.name, report.author, report.reason) == ("news", troll.uri, "Please take a look")
    assert report.targets == [troll.uri, note["id"]]
    forwarded = await third_peer.wait_for(lambda: third_peer.received_of("Flag"))
    assert forwarded[0]["object"] == note["id"]  # one reported post per Flag, as Lemmy requires

    # When staff forward it to the author's server, it gets Mastodon's shape (the account named)
    hosts = await reports.forward_report(inst.groups, staff, report.id, to_author=True)
    assert peer.base.removeprefix("http://") in hosts
    [to_author] = await peer.wait_for(lambda: [r for r in peer.received if r.activity["type"] == "Flag"])
    assert to_author.signer == f"{inst.base}/actor"
    assert to_author.activity["object"] == [note["id"], troll.uri]
    assert to_author.activity["content"] == "Please take a look"
    assert instance_actor.uri not in json.dumps(to_author.activity)

    # And dismissing it asks for a reason, then closes it
    with pytest.raises(BadRequest, match="reason"):
        await reports.dismiss_report(inst.groups, staff, report.id, reason="")
    await reports.dismiss_report(inst.groups, staff, report.id, reason="not spam")
    assert (await Report.get(id=report.id)).state == "dismissed"
    assert await ModlogEntry.filter(action="dismiss_report", reason="not spam").exists()


async def test_a_remote_moderator_resolves_a_forwarded_report(
    instance, peer: Peer, far_peer: Peer, third_peer: Peer
) -> None:
    inst: Instance = await instance(hostname="localhost")
    group, _staff, carol, _troll, reporter, note = await setup(inst, peer, far_peer, third_peer)
    flag = far_peer.activity("Flag", reporter, note["id"], to=[group], summary="spam")
    await send(far_peer, reporter, f"{group}/inbox", flag)
    forwarded = (await third_peer.wait_for(lambda: third_peer.received_of("Flag")))[0]

    # a stranger may not close it; carol may, by resolving the Flag she got
    fake = far_peer.activity("Resolve", reporter, forwarded, to=[group])
    assert "does not moderate" in ((await send(far_peer, reporter, f"{group}/inbox", fake)).error or "")
    resolve = third_peer.activity("Resolve", carol, forwarded, to=[group])
    await send(third_peer, carol, f"{group}/inbox", resolve)
    report = await Report.get()
    assert (report.state, report.resolved_by) == ("resolved", carol.uri)


async def test_reports_from_servers_whose_reports_are_rejected_are_dropped(
    instance, peer: Peer, far_peer: Peer, third_peer: Peer
) -> None:
    inst: Instance = await instance(hostname="localhost")
    group, _staff, _carol, _troll, reporter, note = await setup(inst, peer, far_peer, third_peer)
    await DomainBlock.create(domain="127.0.0.2", severity="noop", reject_reports=True)
    inst.groups.defed.forget()
    flag = far_peer.activity("Flag", reporter, note["id"], to=[group], summary="spam")
    await send(far_peer, reporter, f"{group}/inbox", flag)
    assert not await Report.exists()
    assert not third_peer.received_of("Flag")


async def test_who_sees_and_handles_which_reports(
    instance, peer: Peer, far_peer: Peer, third_peer: Peer
) -> None:
    inst: Instance = await instance(hostname="localhost")
    _group, staff, _carol, troll, _reporter, note = await setup(inst, peer, far_peer, third_peer)
    await inst.community("pets")
    admin = await create_staff("admin", PASSWORD, is_admin=True)
    other = await create_staff("other", PASSWORD)
    await Moderator.create(group=await inst.groups.group("pets"), actor=inst.site.staff_uri("other"))

    in_news = await reports.file_report(inst.groups, admin, [note["id"]], reason="spam")
    about_account = await reports.file_report(inst.groups, admin, [troll.uri], reason="ban evasion")
    assert in_news.community_id is not None and about_account.community_id is None  # type: ignore[attr-defined]

    assert [r.id for r in await reports.list_reports(inst.groups, staff)] == [in_news.id]
    assert await reports.list_reports(inst.groups, other) == []
    assert {r.id for r in await reports.list_reports(inst.groups, admin)} == {in_news.id, about_account.id}
    with pytest.raises(Forbidden, match="does not moderate news"):
        await reports.list_reports(inst.groups, other, community="news")
    with pytest.raises(Forbidden):
        await reports.resolve_report(inst.groups, other, in_news.id, reason="x")
    with pytest.raises(Forbidden, match="not an instance admin"):
        await reports.get_report(inst.groups, staff, about_account.id)
    with pytest.raises(NotFound, match="no report #999"):
        await reports.get_report(inst.groups, admin, 999)
    with pytest.raises(BadRequest, match="unknown state"):
        await reports.list_reports(inst.groups, admin, state="closed")
    with pytest.raises(BadRequest, match="nowhere to go"):
        await reports.forward_report(inst.groups, admin, about_account.id)
    assert await Report.filter(state="open").count() == 2


async def test_a_flag_or_post_holding_a_nul_character_is_refused_with_the_reason(
    instance, peer: Peer, far_peer: Peer, third_peer: Peer
) -> None:
    """PostgreSQL cannot store NUL: such an activity is refused at the inbox (400 with the reason) on
    every database, never stored to fail later."""
    inst: Instance = await instance(hostname="localhost")
    group, _staff, _carol, troll, reporter, note = await setup(inst, peer, far_peer, third_peer)
    flag = far_peer.activity("Flag", reporter, note["id"], to=[group], summary="spam\u0000")
    status, text = await far_peer.post(reporter, f"{group}/inbox", flag)
    assert status == 400, text
    assert json.loads(text)["error"] == (
        "the body holds a NUL character (\\u0000), which no text here can store"
    )

    sneaky = peer.note(troll, "<p>buy\u0000now</p>", to=[PUBLIC], cc=[group])
    create = peer.activity("Create", troll, sneaky)
    status, text = await peer.post(troll, f"{group}/inbox", create)
    assert status == 400 and "NUL" in json.loads(text)["error"], text
    assert not await Report.exists() and not await Post.exists(object_id=sneaky["id"])
    assert not await InboxItem.filter(activity_id__in=[flag["id"], create["id"]]).exists()


async def test_the_queue_pages_and_counts_what_each_staff_member_may_see(instance) -> None:
    inst = await instance()
    news, pets = await inst.community("news"), await inst.community("pets")
    admin = await create_staff("root", "a long password", is_admin=True)
    mia = await create_staff("mia", "a long password")
    await Moderator.create(group=news, actor=inst.site.staff_uri("mia"))
    for n in range(7):
        await Report.create(community=news, reporter=f"https://r.example/u/{n}", reason=f"news {n}")
    await Report.create(community=pets, reporter="https://r.example/u/p", reason="pets")
    await Report.create(community=None, reporter="https://r.example/u/i", reason="instance")
    await Report.create(community=news, reporter="https://r.example/u/x", reason="closed", state="resolved")

    ctx = inst.groups
    assert await reports.count_reports(ctx, admin) == 9 and await reports.count_reports(ctx, mia) == 7
    assert await reports.count_reports(ctx, mia, state="all") == 8
    first = await reports.list_reports(ctx, mia, limit=5)
    rest = await reports.list_reports(ctx, mia, offset=5, limit=5)
    assert [r.reason for r in first + rest] == [f"news {n}" for n in range(6, -1, -1)]
    assert [r.reason for r in await reports.list_reports(ctx, admin, offset=1, limit=1)] == ["pets"]
    with pytest.raises(BadRequest, match="unknown state"):
        await reports.count_reports(ctx, mia, state="later")
