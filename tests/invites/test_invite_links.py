"""Invite links of a private community over real HTTP, with a member server on loopback: whoever opens
a link and gives their handle is let in when their Follow arrives (or at once when it was waiting);
uses are counted, and an expired, used-up or revoked link lets nobody in: the request waits as usual."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from fedicom.errors import BadRequest
from fedicom.groups.models import Group, Membership, MembershipState
from fedicom.invites.links import (
    InviteState,
    create_invite,
    new_code,
    parse_duration,
    revoke_invite,
    state_of,
)
from fedicom.invites.models import Invite, InvitePass
from fedicom.invites.passes import redeem
from fedicom.staff.accounts import create_staff
from tests.support.peer import Peer, Person
from tests.support.servers import Instance
from tests.support.steps import send
from tests.web.http import Page, client, get

PASSWORD = "a long password"


def handle_of(peer: Peer, person: Person) -> str:
    return f"@{person.name}@{peer.base.removeprefix('http://')}"


async def take(http: httpx.AsyncClient, link: str, handle: str) -> Page:
    """Open the invite link, then send the handle with the page's own CSRF token."""
    page = await get(http, link)
    resp = await http.post(link, data={"handle": handle, "csrf_token": page.csrf_token()})
    return Page(resp.status_code, resp.headers, resp.text)


async def follow(peer: Peer, person: Person, group_uri: str) -> dict[str, Any]:
    activity = peer.activity("Follow", person, group_uri)
    await send(peer, person, f"{group_uri}/inbox", activity)
    return activity


async def state(actor: str) -> MembershipState | None:
    found = await Membership.get_or_none(actor=actor)
    return found.state if found else None


async def private_community(inst: Instance) -> tuple[Group, str]:
    await create_staff("mia", PASSWORD)
    group = await inst.community("secret", private=True, summary="Beta testers of the brand's app.")
    return group, f"{inst.base}/c/secret"


def path(invite: Invite) -> str:
    return f"/c/secret/invite/{invite.code}"


async def test_a_person_who_took_the_link_is_let_in_when_their_follow_arrives(instance, peer: Peer) -> None:
    inst = await instance()
    group, uri = await private_community(inst)
    invite = await create_invite(group, inst.site.staff_uri("mia"), uses=2)
    alice = peer.person("alice")
    peer.subscribe_template = f"{peer.base}/authorize_interaction?uri={{uri}}"

    async with client(inst.base) as http:
        answer = await take(http, path(invite), handle_of(peer, alice))
    # sent home to confirm the follow there, as the follow-from-your-server page does
    assert answer.status == 303
    assert answer.headers["location"] == f"{peer.base}/authorize_interaction?uri={quote(uri, safe='')}"
    assert (await Invite.get(id=invite.id)).uses == 1
    assert await InvitePass.filter(actor=alice.uri, used_at__isnull=True).count() == 1

    sent = await follow(peer, alice, uri)
    accept = (await peer.wait_for(lambda: peer.received_of("Accept")))[0]
    assert accept["object"] == sent and accept["to"] == [alice.uri]
    assert await state(alice.uri) == MembershipState.ACCEPTED
    assert await InvitePass.filter(actor=alice.uri, used_at__isnull=False).count() == 1


async def test_a_request_that_was_already_waiting_is_approved_when_the_link_is_taken(
    instance, peer: Peer
) -> None:
    inst = await instance()
    group, uri = await private_community(inst)
    invite = await create_invite(group, inst.site.staff_uri("mia"))
    bob = peer.person("bob")
    sent = await follow(peer, bob, uri)
    assert await state(bob.uri) == MembershipState.PENDING

    async with client(inst.base) as http:
        answer = await take(http, path(invite), handle_of(peer, bob))
    assert answer.status == 200, answer.text
    assert "your request to join was waiting, and it is approved now" in answer.text
    accept = (await peer.wait_for(lambda: peer.received_of("Accept")))[0]
    assert accept["object"] == sent
    assert await state(bob.uri) == MembershipState.ACCEPTED
    async with client(inst.base) as http:  # a member taking it again uses nothing
        again = await take(http, path(invite), handle_of(peer, bob))
    assert "You are a member of" in again.text and (await Invite.get(id=invite.id)).uses == 1


async def test_without_a_template_the_page_keeps_the_pass_and_explains_how_to_follow(
    instance, peer: Peer
) -> None:
    inst = await instance()
    group, uri = await private_community(inst)
    invite = await create_invite(group, inst.site.staff_uri("mia"))
    carol = peer.person("carol")
    async with client(inst.base) as http:
        answer = await take(http, path(invite), handle_of(peer, carol))
    assert answer.status == 200
    assert f"Your invite is kept for {handle_of(peer, carol)}" in answer.text
    assert "<dt>Mastodon" in answer.text  # how to follow from each app
    await follow(peer, carol, uri)
    assert await state(carol.uri) == MembershipState.ACCEPTED


async def test_a_used_up_expired_or_revoked_link_lets_nobody_in(instance, peer: Peer) -> None:
    inst = await instance()
    group, uri = await private_community(inst)
    mia = inst.site.staff_uri("mia")
    once = await create_invite(group, mia, uses=1)
    late = await create_invite(group, mia, lifetime=parse_duration("12h"))
    withdrawn = await create_invite(group, mia)
    alice, bob, carol, dave = (peer.person(n) for n in ("alice", "bob", "carol", "dave"))

    async with client(inst.base) as http:
        assert (await take(http, path(once), handle_of(peer, alice))).status == 200
        used_up = await take(http, path(once), handle_of(peer, bob))
        await Invite.filter(id=late.id).update(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        expired = await take(http, path(late), handle_of(peer, carol))
        assert (await take(http, path(withdrawn), handle_of(peer, dave))).status == 200  # a pass...
        await revoke_invite(await Invite.get(id=withdrawn.id))  # ...void once its link is revoked
        revoked_page = await get(http, path(withdrawn))

    assert used_up.status == 400 and "This invite link has been used up" in used_up.text
    assert expired.status == 400 and "This invite link has expired" in expired.text
    assert "This invite link was withdrawn by the community" in revoked_page.text
    assert 'action="/c/secret/follow"' in revoked_page.text  # one may still ask to join
    assert (await Invite.get(id=once.id)).uses == 1 and (await Invite.get(id=late.id)).uses == 0

    await follow(peer, alice, uri)
    for person in (bob, carol, dave):
        await follow(peer, person, uri)
        assert await state(person.uri) == MembershipState.PENDING  # waits for a moderator
    assert await state(alice.uri) == MembershipState.ACCEPTED
    accepts = await peer.wait_for(lambda: peer.received_of("Accept"))
    assert [a["to"] for a in accepts] == [[alice.uri]]


async def test_a_public_community_has_no_links_and_its_page_explains_how_to_follow(
    instance, peer: Peer
) -> None:
    inst = await instance()
    group = await inst.community("news", summary="News about the *open web*.")
    with pytest.raises(BadRequest, match="news is public"):
        await create_invite(group, inst.site.staff_uri("x"))
    async with client(inst.base) as http:
        page = await get(http, "/c/news/invite")
        wrong = await get(http, "/c/news/invite/AAAAAAAAAAAAAAAA")
    assert page.status == 200
    assert "<em>open web</em>" in page.text and "Anyone may join" in page.text
    assert 'action="/c/news/follow"' in page.text and '<svg role="img"' in page.text
    assert f'value="{inst.base}/c/news/invite"' in page.text  # the link, ready to copy
    assert wrong.status == 404


async def test_a_link_of_another_community_a_mangled_code_or_a_forged_form_take_nothing(
    instance, peer: Peer
) -> None:
    inst = await instance()
    await private_community(inst)
    other = await inst.community("other", private=True)
    theirs = await create_invite(other, inst.site.staff_uri("mia"))
    async with client(inst.base) as http:
        assert (await get(http, f"/c/secret/invite/{theirs.code}")).status == 404
        assert (await get(http, "/c/secret/invite/no")).status == 404
        forged = await http.post(f"/c/other/invite/{theirs.code}", data={"handle": "x@y.example"})
    assert forged.status_code == 403
    assert not await InvitePass.exists() and (await Invite.get(id=theirs.id)).uses == 0


async def test_two_people_cannot_take_the_last_use_together(instance, peer: Peer) -> None:
    inst = await instance()
    group, _ = await private_community(inst)
    invite = await create_invite(group, inst.site.staff_uri("mia"), uses=1)
    copies = [await Invite.get(id=invite.id) for _ in range(5)]  # each request reads its own row
    tries = [redeem(inst.groups, group, row, f"{peer.base}/users/u{n}") for n, row in enumerate(copies)]
    results = await asyncio.gather(*tries, return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, BadRequest) for r in results if isinstance(r, Exception))
    assert (await Invite.get(id=invite.id)).uses == 1 and await InvitePass.all().count() == 1


def test_durations_and_states() -> None:
    assert parse_duration("7d") == timedelta(days=7) and parse_duration("12h") == timedelta(hours=12)
    assert parse_duration("30m") == timedelta(minutes=30) and parse_duration("2W") == timedelta(weeks=2)
    for bad in ("", "7", "d", "0d", "1y", "-1d", "99999w"):
        with pytest.raises(BadRequest):
            parse_duration(bad)
    now = datetime.now(UTC)
    invite = Invite(code="x" * 16, created_by="u", uses=3, max_uses=3)
    assert state_of(invite, now) == InviteState.USED_UP
    invite.max_uses = None
    invite.expires_at = now - timedelta(seconds=1)
    assert state_of(invite, now) == InviteState.EXPIRED
    invite.revoked_at = now
    assert state_of(invite, now) == InviteState.REVOKED
    invite.revoked_at = invite.expires_at = None
    assert state_of(invite, now) == InviteState.ACTIVE


async def test_only_the_widget_may_be_framed_and_a_private_communitys_shows_no_threads(
    instance, peer: Peer
) -> None:
    inst = await instance()
    await private_community(inst)
    async with client(inst.base) as http:
        widget = await get(http, "/c/secret/widget")
        invite_page = await get(http, "/c/secret/invite")
        missing = await get(http, "/c/nothing/widget")
    assert widget.status == 200 and "x-frame-options" not in widget.headers
    assert "frame-ancestors *" in widget.headers["content-security-policy"]
    assert "set-cookie" not in widget.headers and widget.headers["cache-control"] == "public, max-age=300"
    assert "Ask to join" in widget.text and 'class="threads"' not in widget.text
    assert "shown to its members only" in widget.text
    assert invite_page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in invite_page.headers["content-security-policy"]
    assert missing.status == 404


def test_a_code_never_starts_with_a_dash() -> None:
    """`fedicom invite revoke CODE` would read a leading dash as an option (one code in 64 did)."""
    codes = [new_code() for _ in range(2000)]
    assert not [c for c in codes if c.startswith("-")] and len(set(codes)) == 2000
