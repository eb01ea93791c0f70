"""Refusals end to end, over real signed HTTP on loopback: every post a community refuses or holds is
recorded with its reason (staff read it through the admin API and the staff page), and its author's
server receives one direct message from the Group per reason and day, unless the community switched
notices off or the author is banned."""

from __future__ import annotations

from typing import Any

import httpx

from fedicom.activitypub.models import Delivery, DeliveryState, OutgoingActivity
from fedicom.groups.models import Group, Post
from fedicom.moderation.bans import ban
from fedicom.moderation.filters import add_filter
from fedicom.refusals.models import Refusal, RefusalNotice
from fedicom.staff.accounts import create_staff, get_staff
from fedicom.staff.tokens import create_token
from tests.moderation.helpers import PASSWORD, community_with_moderator
from tests.support.peer import PUBLIC, Peer, Person
from tests.support.steps import join, post_of, send, thread, until
from tests.web.http import get
from tests.web.signin import staff_client


def notices(peer: Peer, group: str, person: Person) -> list[dict[str, Any]]:
    """The Group's direct messages the peer received in `person`'s own inbox."""
    return [
        r.activity
        for r in peer.received
        if r.activity.get("type") == "Create"
        and r.signer == group
        and r.path == f"/users/{person.name}/inbox"
    ]


async def all_delivered() -> bool:
    """Nothing queued is still waiting: what was not received by now was never sent."""
    return not await Delivery.filter(state=DeliveryState.PENDING).exists()


async def refusals_of(author: str) -> list[Refusal]:
    return await Refusal.filter(author=author).order_by("id").prefetch_related("group")


async def test_a_non_members_post_is_recorded_and_the_author_told_once_a_day(instance, peer: Peer) -> None:
    # Given a members-only community and Alice, who does not follow it
    inst = await instance(hostname="localhost")
    group, _ = await community_with_moderator(inst)
    alice = peer.person("alice")

    # When she posts a thread there, it is refused with the reason on the inbox item, as before
    note, item = await thread(peer, alice, group, "<p>Hello, <b>may</b> I post here? " + "x" * 300 + "</p>")
    assert item.error == "news: only members post in this community; follow it first"
    assert not await Post.exists(object_id=note["id"])

    # Then it is recorded with its reason, the start of its text, and that she was told
    [row] = await refusals_of(alice.uri)
    assert (row.group.name, row.object_id, row.activity_id) == ("news", note["id"], item.activity_id)
    assert (row.kind, row.code, row.held, row.told) == ("thread", "not_member", False, "sent")
    assert row.excerpt.startswith("Hello, may I post here? xxx") and len(row.excerpt) == 200

    # And her server receives a direct message from the Group, signed by it, saying why and what to do
    [dm] = await peer.wait_for(lambda: notices(peer, group, alice))
    message = dm["object"]
    assert (dm["actor"], message["attributedTo"], message["type"]) == (group, group, "Note")
    assert (dm["to"], dm["cc"], message["to"], message["cc"]) == ([alice.uri], [], [alice.uri], [])
    assert message["tag"] == [{"type": "Mention", "href": alice.uri, "name": f"@alice@{peer.base[7:]}"}]
    handle = f"@news@{inst.settings.domain}"
    assert f'<a href="{group}">{handle}</a>: follow the community first' in message["content"]
    assert "Your post was not shared: only members can post in" in message["content"]
    assert message["inReplyTo"] == note["id"]
    assert PUBLIC not in str(dm)

    # When she posts again the same day, that is recorded too, but she is not messaged again
    again, item = await thread(peer, alice, group, "<p>Hello?</p>")
    assert item.error is not None
    assert [r.told for r in await refusals_of(alice.uri)] == ["sent", "already_told"]
    await until(all_delivered)
    assert len(notices(peer, group, alice)) == 1
    assert await OutgoingActivity.filter(actor=group, type="Create").count() == 1
    assert await RefusalNotice.filter(author=alice.uri, code="not_member").count() == 1

    # And staff see both, newest first, through the admin API and on the staff page
    await create_staff("olga", PASSWORD)
    _, secret = await create_token(await get_staff("mia"), "tool", ["read"])
    _, stranger = await create_token(await get_staff("olga"), "tool", ["read"])
    api = f"{inst.base}/api/v1/admin/refusals"
    async with httpx.AsyncClient() as client:
        listed = (await client.get(api, headers={"Authorization": f"Bearer {secret}"})).json()
        assert [(r["object_id"], r["code"], r["told"]) for r in listed] == [
            (again["id"], "not_member", "already_told"),
            (note["id"], "not_member", "sent"),
        ]
        assert listed[0]["community"] == "news" and listed[0]["author"] == alice.uri
        only = {"community": "news", "since": "24h", "held": "false", "code": "not_member"}
        filtered = await client.get(api, params=only, headers={"Authorization": f"Bearer {secret}"})
        assert len(filtered.json()) == 2
        held_only = await client.get(
            api, params={"held": "true"}, headers={"Authorization": f"Bearer {secret}"}
        )
        assert held_only.json() == []
        bad = await client.get(api, params={"since": "soon"}, headers={"Authorization": f"Bearer {secret}"})
        assert bad.status_code == 400 and "since is 30m, 24h, 7d" in bad.json()["error"]
        mine = await client.get(api, headers={"Authorization": f"Bearer {stranger}"})
        assert mine.json() == []  # olga moderates nothing
        other = await client.get(api, params=only, headers={"Authorization": f"Bearer {stranger}"})
        assert other.status_code == 403 and other.json() == {"error": "olga does not moderate news"}
    async with staff_client(inst.base, "mia") as http:
        page = await get(http, "/staff/c/news/refused")
        dashboard = await get(http, "/staff")
    assert page.status == 200 and "2 items not shared" in page.text
    assert "<strong>Not a member</strong>: only members post in this community; follow it first" in page.text
    assert "Yes, by direct message" in page.text and "Already told today" in page.text
    assert 'aria-label="2 posts not shared in news in the last 24 hours">2</a>' in dashboard.text


async def test_rate_limited_and_filtered_posts_are_recorded_and_each_reason_told_once(
    instance, peer: Peer
) -> None:
    inst = await instance(hostname="localhost", rate_limit_actor=2)
    group, mod = await community_with_moderator(inst)
    news = await inst.groups.group("news")
    await add_filter(
        r"free\s+money", regex=True, action="reject", community=news, site=inst.site, moderator=mod
    )
    alice = peer.person("alice")
    await join(peer, alice, group)

    # A post a filter refuses, twice: recorded twice, told once
    for _ in range(2):
        _, item = await thread(peer, alice, group, "<p>FREE money for all</p>")
        assert item.error is not None and "matches filter" in item.error
    # Two posts pass, the third is over the hourly limit, and so is the fourth
    for i in range(4):
        _, item = await thread(peer, alice, group, f"<p>post {i}</p>")
        assert (item.error is None) == (i < 2)
    rows = await refusals_of(alice.uri)
    assert [(r.code, r.told) for r in rows] == [
        ("filtered", "sent"),
        ("filtered", "already_told"),
        ("rate_limited", "sent"),
        ("rate_limited", "already_told"),
    ]
    assert rows[0].excerpt == "FREE money for all" and "matches filter" in rows[0].reason
    dms = await peer.wait_for(lambda: len(notices(peer, group, alice)) == 2 and notices(peer, group, alice))
    texts = sorted(dm["object"]["content"] for dm in dms)
    assert "matched one of the filters of" in texts[0] + texts[1]
    assert "takes only so many posts an hour" in texts[0] + texts[1]
    await until(all_delivered)
    assert len(notices(peer, group, alice)) == 2


async def test_a_held_post_is_recorded_and_its_author_told_it_is_waiting(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    group, _ = await community_with_moderator(inst, premoderation="new_members")
    alice = peer.person("alice")
    await join(peer, alice, group)
    note, item = await thread(peer, alice, group, "<p>My first post</p>")
    assert item.error is None and (await post_of(note["id"])).state == "held"
    [row] = await refusals_of(alice.uri)
    assert (row.code, row.held, row.told, row.object_id) == ("held_new_member", True, "sent", note["id"])
    [dm] = await peer.wait_for(lambda: notices(peer, group, alice))
    assert (
        "first post in" in dm["object"]["content"] and "is reviewed by a moderator" in dm["object"]["content"]
    )
    assert "not shared" not in dm["object"]["content"]
    assert not await OutgoingActivity.filter(actor=group, type="Announce").exists()


async def test_a_community_that_switched_notices_off_records_but_sends_nothing(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    group, _ = await community_with_moderator(inst)
    _, secret = await create_token(await get_staff("mia"), "tool", ["moderate"])
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {secret}"}) as client:
        url = f"{inst.base}/api/v1/admin/communities/news"
        assert (await client.get(url)).json()["notify_refusals"] is True
        changed = await client.patch(url, json={"notify_refusals": False})
        assert changed.status_code == 200 and changed.json()["notify_refusals"] is False
        null = await client.patch(url, json={"notify_refusals": None})
        assert null.status_code == 422
    alice = peer.person("alice")
    _, item = await thread(peer, alice, group, "<p>Hello</p>")
    assert item.error is not None
    assert [(r.code, r.told) for r in await refusals_of(alice.uri)] == [("not_member", "off")]
    await until(all_delivered)
    assert notices(peer, group, alice) == []
    assert not await OutgoingActivity.filter(actor=group, type="Create").exists()
    assert not await RefusalNotice.exists()


async def test_a_banned_author_is_recorded_but_never_told_and_their_votes_are_counted(
    instance, peer: Peer
) -> None:
    inst = await instance(hostname="localhost")
    group, _ = await community_with_moderator(inst)
    alice, troll = peer.person("alice"), peer.person("troll")
    await join(peer, alice, group)
    await join(peer, troll, group)
    shown, _ = await thread(peer, alice, group, "<p>A good thread</p>")
    await ban(inst.groups, await get_staff("mia"), troll.uri, community="news", reason="trolling")

    _, item = await thread(peer, troll, group, "<p>I am back</p>")
    assert item.error is not None and "is banned from news" in item.error
    like = peer.activity("Like", troll, shown["id"])
    item = await send(peer, troll, f"{group}/inbox", like)
    assert item.error is not None and "is banned from news" in item.error
    rows = await refusals_of(troll.uri)
    assert [(r.kind, r.code, r.told) for r in rows] == [
        ("thread", "banned", "withheld"),
        ("vote", "banned", "vote"),
    ]
    assert rows[1].object_id == shown["id"] and rows[1].activity_id == like["id"]
    await until(all_delivered)
    assert notices(peer, group, troll) == []
    assert not await RefusalNotice.exists()


async def test_a_cross_post_refused_in_one_community_is_recorded_there_and_shared_in_the_other(
    instance, peer: Peer
) -> None:
    inst = await instance(hostname="localhost")
    group, _ = await community_with_moderator(inst)
    await inst.community("other")
    other = f"{inst.base}/c/other"
    alice = peer.person("alice")
    await join(peer, alice, group)  # a member of news, not of other

    note = peer.note(alice, "<p>For both</p>", to=[PUBLIC], cc=[group, other])
    item = await send(
        peer, alice, f"{group}/inbox", peer.activity("Create", alice, note, to=[PUBLIC], cc=[group, other])
    )
    assert item.error is None
    assert [p.group.name for p in await Post.filter(object_id=note["id"]).prefetch_related("group")] == [
        "news"
    ]
    [row] = await refusals_of(alice.uri)
    assert (row.group.name, row.code, row.told) == ("other", "not_member", "sent")
    [dm] = await peer.wait_for(lambda: notices(peer, other, alice))
    assert f"@other@{inst.settings.domain}" in dm["object"]["content"]
    assert (await Group.get(name="other")).notify_refusals is True


async def test_a_followers_only_post_is_told_to_go_public_and_a_direct_message_is_not_answered(
    instance, peer: Peer
) -> None:
    inst = await instance(hostname="localhost")
    group, _ = await community_with_moderator(inst)
    alice = peer.person("alice")
    await join(peer, alice, group)
    followers = f"{alice.uri}/followers"

    # Mastodon's "followers only" with the group mentioned: the usual mistake, worth a notice
    note = peer.note(alice, "<p>Only for my followers</p>", to=[followers], cc=[group])
    item = await send(
        peer, alice, f"{group}/inbox", peer.activity("Create", alice, note, to=[followers], cc=[group])
    )
    assert item.error is not None and "must be public" in item.error
    # Mastodon's "direct" to the group alone: a message to the community, not a post: never answered
    message = peer.note(alice, "<p>Hi moderators, a question</p>", to=[group])
    item = await send(peer, alice, f"{group}/inbox", peer.activity("Create", alice, message, to=[group]))
    assert item.error is not None
    assert [(r.object_id, r.code, r.told) for r in await refusals_of(alice.uri)] == [
        (note["id"], "not_public", "sent"),
        (message["id"], "direct_message", "direct_message"),
    ]
    [dm] = await peer.wait_for(lambda: notices(peer, group, alice))
    assert "shares public posts only: post again with public visibility" in dm["object"]["content"]
    assert dm["object"]["inReplyTo"] == note["id"]
    await until(all_delivered)
    assert len(notices(peer, group, alice)) == 1
