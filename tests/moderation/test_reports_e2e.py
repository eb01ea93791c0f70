"""Reports end to end: Flags in Lemmy's and Mastodon's shapes land in the community's queue, reach its
moderators on other servers signed by the instance actor and without the reporter, and are closed
with a reason that the remote moderators learn too."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from fedicom.activitypub.models import InboxItem
from fedicom.errors import BadRequest, Forbidden, NotFound
from fedicom.groups.models import Moderator
from fedicom.moderation import reports
from fedicom.moderation.models import DomainBlock, ModlogEntry, Report
from fedicom.moderation.staff import create_staff
from tests.support.peer import PUBLIC, Peer, Person
from tests.support.servers import Instance

PASSWORD = "a long password"


@pytest.fixture
async def member_peer() -> AsyncIterator[Peer]:
    p = Peer()
    await p.start("127.0.0.2")
    yield p
    await p.stop()


@pytest.fixture
async def mod_peer() -> AsyncIterator[Peer]:
    p = Peer()
    await p.start("127.0.0.3")
    yield p
    await p.stop()


async def processed(activity_id: str) -> InboxItem:
    for _ in range(200):
        item = await InboxItem.get_or_none(activity_id=activity_id)
        if item is not None and item.state == "done":
            return item
        await asyncio.sleep(0.05)
    raise AssertionError(f"{activity_id} was not processed")


async def join(p: Peer, person: Person, group: str) -> None:
    await p.post(person, f"{group}/inbox", p.activity("Follow", person, group))
    await p.wait_for(lambda: [a for a in p.received_of("Accept") if a["object"]["actor"] == person.uri])


async def setup(inst: Instance, peer: Peer, member_peer: Peer, mod_peer: Peer):  # type: ignore[no-untyped-def]
    """news, moderated by local staff `mod` and by carol (on another server); a thread by a troll."""
    await inst.community("news")
    group = f"{inst.base}/c/news"
    staff = await create_staff("mod", PASSWORD)
    news = await inst.groups.group("news")
    await Moderator.create(group=news, actor=inst.site.staff_uri("mod"))
    carol = mod_peer.person("carol")
    await Moderator.create(group=news, actor=carol.uri)
    troll, reporter = peer.person("troll"), member_peer.person("reporter")
    await join(peer, troll, group)
    await join(member_peer, reporter, group)
    note = peer.note(troll, "<p>buy now</p>", to=[PUBLIC], cc=[group])
    create = peer.activity("Create", troll, note, to=[PUBLIC])
    await peer.post(troll, f"{group}/inbox", create)
    await processed(create["id"])
    return group, staff, carol, troll, reporter, note


async def test_a_lemmy_flag_is_queued_and_forwarded_to_remote_moderators_without_the_reporter(
    instance, peer: Peer, member_peer: Peer, mod_peer: Peer
) -> None:
    inst: Instance = await instance(hostname="localhost")
    group, staff, _carol, troll, reporter, note = await setup(inst, peer, member_peer, mod_peer)

    # When a member reports the thread the way Lemmy does
    flag = member_peer.activity(
        "Flag", reporter, note["id"], to=[group], audience=group, summary="<p>spam &amp; scams</p>"
    )
    assert (await member_peer.post(reporter, f"{group}/inbox", flag))[0] == 202
    await processed(flag["id"])

    # Then it is in the community's queue
    [report] = await reports.list_reports(inst.groups, staff)
    assert (report.community.name, report.reporter, report.author) == ("news", reporter.uri, troll.uri)
    assert (report.targets, report.reason, report.state) == ([note["id"]], "spam & scams", "open")

    # And carol's server gets it from the instance actor, in Lemmy's shape, not naming the reporter
    [got] = await mod_peer.wait_for(lambda: [r for r in mod_peer.received if r.activity["type"] == "Flag"])
    assert got.signer == f"{inst.base}/actor"
    forwarded = got.activity
    assert (forwarded["actor"], forwarded["to"], forwarded["object"]) == (
        f"{inst.base}/actor",
        [group],
        note["id"],
    )
    assert forwarded["summary"] == "spam & scams" and forwarded["audience"] == group
    assert reporter.uri not in json.dumps(forwarded) and member_peer.base not in json.dumps(forwarded)
    assert not member_peer.received_of("Flag") and not peer.received_of("Flag")

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
    resolve = await mod_peer.wait_for(lambda: mod_peer.received_of("Resolve"))
    assert resolve[0]["object"] == {k: v for k, v in forwarded.items() if k != "@context"}
    assert resolve[0]["actor"] == f"{inst.base}/u/mod"
    with pytest.raises(BadRequest, match="already resolved"):
        await reports.dismiss_report(inst.groups, staff, report.id, reason="again")


async def test_a_mastodon_flag_is_queued_under_the_community_of_the_reported_posts(
    instance, peer: Peer, member_peer: Peer, mod_peer: Peer
) -> None:
    inst: Instance = await instance(hostname="localhost")
    _group, staff, _carol, troll, _, note = await setup(inst, peer, member_peer, mod_peer)
    # Mastodon reports as its instance actor, to the shared inbox, object = [account, statuses]
    instance_actor = member_peer.person("actor")
    flag = member_peer.activity(
        "Flag", instance_actor, [troll.uri, note["id"]], content="Please take a look", to=troll.uri
    )
    assert (await member_peer.post(instance_actor, f"{inst.base}/inbox", flag))[0] == 202
    await processed(flag["id"])

    [report] = await Report.all().prefetch_related("community")
    assert (report.community.name, report.author, report.reason) == ("news", troll.uri, "Please take a look")
    assert report.targets == [troll.uri, note["id"]]
    forwarded = await mod_peer.wait_for(lambda: mod_peer.received_of("Flag"))
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
    instance, peer: Peer, member_peer: Peer, mod_peer: Peer
) -> None:
    inst: Instance = await instance(hostname="localhost")
    group, _staff, carol, _troll, reporter, note = await setup(inst, peer, member_peer, mod_peer)
    flag = member_peer.activity("Flag", reporter, note["id"], to=[group], summary="spam")
    await member_peer.post(reporter, f"{group}/inbox", flag)
    await processed(flag["id"])
    forwarded = (await mod_peer.wait_for(lambda: mod_peer.received_of("Flag")))[0]

    # a stranger may not close it; carol may, by resolving the Flag she got
    fake = member_peer.activity("Resolve", reporter, forwarded, to=[group])
    await member_peer.post(reporter, f"{group}/inbox", fake)
    assert "does not moderate" in ((await processed(fake["id"])).error or "")
    resolve = mod_peer.activity("Resolve", carol, forwarded, to=[group])
    await mod_peer.post(carol, f"{group}/inbox", resolve)
    await processed(resolve["id"])
    report = await Report.get()
    assert (report.state, report.resolved_by) == ("resolved", carol.uri)


async def test_reports_from_servers_whose_reports_are_rejected_are_dropped(
    instance, peer: Peer, member_peer: Peer, mod_peer: Peer
) -> None:
    inst: Instance = await instance(hostname="localhost")
    group, _staff, _carol, _troll, reporter, note = await setup(inst, peer, member_peer, mod_peer)
    await DomainBlock.create(domain="127.0.0.2", severity="noop", reject_reports=True)
    inst.groups.defed.forget()
    flag = member_peer.activity("Flag", reporter, note["id"], to=[group], summary="spam")
    await member_peer.post(reporter, f"{group}/inbox", flag)
    await processed(flag["id"])
    assert not await Report.exists()
    assert not mod_peer.received_of("Flag")


async def test_who_sees_and_handles_which_reports(
    instance, peer: Peer, member_peer: Peer, mod_peer: Peer
) -> None:
    inst: Instance = await instance(hostname="localhost")
    _group, staff, _carol, troll, _reporter, note = await setup(inst, peer, member_peer, mod_peer)
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
