"""The staff members page: join requests of a private community answered in the browser, federated as
Accept or Reject of the Follow exactly as `fedicom community approve|reject` does, and who is in."""

from __future__ import annotations

import html
import re

from playwright.async_api import Browser

from fedicom.activitypub.models import OutgoingActivity
from fedicom.groups.models import Group, Membership, Moderator
from fedicom.staff.accounts import create_staff
from tests.support.peer import Peer, Person
from tests.web.browser import screenshot
from tests.web.http import client, get
from tests.web.scene import PASSWORD, Scene, community, community_with_moderator, join, send
from tests.web.signin import admin, browser_sign_in, form_token, staff_client

MEMBERS = "/staff/c/news/members"


async def private_news(inst, peer: Peer) -> Scene:
    """`news` with alice and bob as members, then made private: whoever follows now asks to join."""
    scene = await community(inst, peer, members=("alice", "bob"))
    await Group.filter(name="news").update(private=True)
    inst.groups.forget_group("news")
    return scene


async def asks_to_join(scene: Scene, name: str) -> Person:
    person = scene.peer.person(name)
    await join(scene.peer, person, scene.group)
    return person


def handle(peer: Peer, name: str) -> str:
    return f"@{name}@{peer.base.removeprefix('http://')}"


def approved(peer: Peer, name: str) -> str:
    """The notice after approving `name`'s request to join Daily News."""
    return (
        f"Approved {handle(peer, name)}: they are a member of Daily News now, "
        "and their server is sent the Accept."
    )


def follow_answers(peer: Peer, kind: str, person: Person) -> list[dict]:
    """The community's Accepts or Rejects of `person`'s Follow that the peer received."""
    return [a for a in peer.received_of(kind, inner="Follow") if a["object"]["actor"] == person.uri]


def notice(text: str) -> str:
    match = re.search(r'<p class="(?:done|error)-box" role="\w+">(.*?)</p>', text)
    assert match, "the page shows no notice"
    return html.unescape(match.group(1))


async def test_moderators_see_requests_oldest_first_then_the_members(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await private_news(inst, peer)
    erin = await asks_to_join(scene, "erin")
    await asks_to_join(scene, "frank")
    async with staff_client(inst.base, "mia") as http:
        page = await get(http, MEMBERS)
    assert page.status == 200 and page.headers["cache-control"] == "private, no-store"
    text = html.unescape(page.text)
    assert "Join requests (2)" in text and "is private" in text
    assert text.index(f'aria-label="Approve {handle(peer, "erin")}"') < text.index(
        f'aria-label="Approve {handle(peer, "frank")}"'
    )
    assert f'aria-label="Reject {handle(peer, "frank")}"' in text
    assert f'name="actor" value="{erin.uri}"' in text and "<strong>127.0.0.1</strong>" in text
    assert 'aria-current="page">Members</a>' in text
    members = text[text.index("Members (2)") :]
    assert handle(peer, "alice") in members and handle(peer, "bob") in members
    assert handle(peer, "erin") not in members


async def test_approving_a_request_sends_the_accept_and_lists_the_member(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await private_news(inst, peer)
    erin = await asks_to_join(scene, "erin")
    follow_id = (await Membership.get(actor=erin.uri)).follow_id
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, MEMBERS)
        resp = await http.post(f"{MEMBERS}/approve", data={"csrf_token": token, "actor": erin.uri})
        assert resp.status_code == 303 and resp.headers["location"] == MEMBERS
        page = await get(http, MEMBERS)
    assert notice(page.text) == approved(peer, "erin")
    assert "Members (3)" in page.text and "No one is waiting to join." in page.text
    assert (await Membership.get(actor=erin.uri)).state == "accepted"
    [accept] = await peer.wait_for(lambda: follow_answers(peer, "Accept", erin))
    assert accept["actor"] == scene.group and accept["to"] == [erin.uri]
    assert accept["object"]["id"] == follow_id


async def test_rejecting_a_request_sends_the_reject(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await private_news(inst, peer)
    frank = await asks_to_join(scene, "frank")
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, MEMBERS)
        resp = await http.post(f"{MEMBERS}/reject", data={"csrf_token": token, "actor": frank.uri})
        assert resp.status_code == 303
        page = await get(http, MEMBERS)
    assert notice(page.text) == (
        f"Rejected the request of {handle(peer, 'frank')} to join Daily News: "
        "their server is sent the Reject."
    )
    assert not await Membership.exists(actor=frank.uri)
    [rejected] = await peer.wait_for(lambda: follow_answers(peer, "Reject", frank))
    assert rejected["actor"] == scene.group and rejected["to"] == [frank.uri]
    assert follow_answers(peer, "Accept", frank) == []


async def test_answering_a_request_already_answered_or_withdrawn_says_so(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await private_news(inst, peer)
    erin = await asks_to_join(scene, "erin")
    frank = await asks_to_join(scene, "frank")
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, MEMBERS)
        await http.post(f"{MEMBERS}/approve", data={"csrf_token": token, "actor": erin.uri})
        # Given another moderator's page, still showing erin's request: approving or rejecting it again
        for action in ("approve", "reject"):
            resp = await http.post(f"{MEMBERS}/{action}", data={"csrf_token": token, "actor": erin.uri})
            assert resp.status_code == 303
            page = await get(http, MEMBERS)
            assert (
                notice(page.text)
                == f"The request from {erin.uri} was already approved: they are a member of news."
            )
            assert 'class="error-box" role="alert"' in page.text
        # frank withdraws his request before it is answered
        undo = peer.activity("Undo", frank, peer.activity("Follow", frank, scene.group))
        await send(peer, frank, scene.group, undo)
        resp = await http.post(f"{MEMBERS}/approve", data={"csrf_token": token, "actor": frank.uri})
        page = await get(http, MEMBERS)
        assert (
            notice(page.text) == f"There is no request from {frank.uri} to join news: answered or withdrawn."
        )
        resp = await http.post(f"{MEMBERS}/approve", data={"csrf_token": token})
        assert resp.status_code == 400 and "does not say whose request" in resp.text
    # erin stayed a member (not removed by the stale Reject), accepted once; frank was never let in
    assert (await Membership.get(actor=erin.uri)).state == "accepted"
    assert await OutgoingActivity.filter(type="Accept", actor=scene.group).count() == 3  # alice, bob, erin
    assert not await Membership.exists(actor=frank.uri)


async def test_only_the_communitys_moderators_and_admins_see_or_answer(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await private_news(inst, peer)
    erin = await asks_to_join(scene, "erin")
    other = await inst.community("other")
    await create_staff("otto", PASSWORD)
    await Moderator.create(group=other, actor=inst.site.staff_uri("otto"))
    await admin("ada")
    async with client(inst.base) as http:
        resp = await http.get(MEMBERS)
        assert resp.status_code == 303 and resp.headers["location"] == f"/staff/sign-in?next={MEMBERS}"
        resp = await http.post(f"{MEMBERS}/approve", data={"actor": erin.uri})
        assert resp.status_code == 303 and resp.headers["location"] == "/staff/sign-in?next=/staff"
    async with staff_client(inst.base, "otto") as http:
        assert (await http.get("/staff/c/other/members")).status_code == 200
        page = await get(http, MEMBERS)
        assert page.status == 403 and "Otto does not moderate news." in page.text
        token = await form_token(http, "/staff/c/other/members")
        for action in ("approve", "reject"):
            resp = await http.post(f"{MEMBERS}/{action}", data={"csrf_token": token, "actor": erin.uri})
            assert resp.status_code == 403
    async with staff_client(inst.base, "ada") as http:
        assert (await get(http, MEMBERS)).status == 200
    assert (await Membership.get(actor=erin.uri)).state == "pending"


async def test_answers_need_the_forms_csrf_token(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await private_news(inst, peer)
    erin = await asks_to_join(scene, "erin")
    async with staff_client(inst.base, "mia") as http:
        for action in ("approve", "reject"):
            resp = await http.post(f"{MEMBERS}/{action}", data={"actor": erin.uri})
            assert resp.status_code == 403
            resp = await http.post(f"{MEMBERS}/{action}", data={"actor": erin.uri, "csrf_token": "0" * 64})
            assert resp.status_code == 403
    assert (await Membership.get(actor=erin.uri)).state == "pending"
    assert follow_answers(peer, "Accept", erin) == follow_answers(peer, "Reject", erin) == []


async def test_members_are_listed_a_hundred_per_page_most_recent_first(instance) -> None:
    inst = await instance()
    await community_with_moderator(inst, "news")
    group = await inst.groups.group("news")
    await Membership.bulk_create(
        [
            Membership(
                group=group,
                actor=f"https://far.example/users/m{i}",
                inbox="https://far.example/inbox",
                state="accepted",
                follow_id=f"https://far.example/follows/{i}",
                follow_activity="{}",
            )
            for i in range(105)
        ]
    )
    async with staff_client(inst.base, "mia") as http:
        first = await get(http, MEMBERS)
        second = await get(http, f"{MEMBERS}?page=2")
        bad = await get(http, f"{MEMBERS}?page=zero")
    assert "Members (105)" in first.text and "is open" in first.text
    shown = re.findall(r"users/m(\d+)\"", first.text)
    assert len(shown) == 100 and shown[0] == "104" and shown[-1] == "5"
    assert f'href="{MEMBERS}?page=2">Next page' in first.text
    assert re.findall(r"users/m(\d+)\"", second.text) == ["4", "3", "2", "1", "0"]
    assert f'href="{MEMBERS}?page=1">Previous page' in second.text and "Next page" not in second.text
    assert bad.status == 400


async def test_approve_a_join_request_in_the_browser(instance, peer: Peer, browser: Browser) -> None:
    inst = await instance()
    scene = await private_news(inst, peer)
    erin = await asks_to_join(scene, "erin")
    await asks_to_join(scene, "frank")
    page = await browser_sign_in(browser, inst.base, "mia")
    await page.get_by_role("link", name="2 join requests in Daily News").click()
    await page.wait_for_url(inst.base + MEMBERS)
    await screenshot(page, "staff-members-requests")
    await page.get_by_role("button", name=f"Approve {handle(peer, 'erin')}").click()
    await page.wait_for_load_state()
    assert await page.get_by_role("status").inner_text() == approved(peer, "erin")
    members = page.get_by_role("table", name="Members of Daily News, the most recent first")
    assert handle(peer, "erin") in await members.inner_text()
    assert await page.get_by_role("button", name=f"Approve {handle(peer, 'erin')}").count() == 0
    assert await page.get_by_role("button", name=f"Approve {handle(peer, 'frank')}").count() == 1
    await peer.wait_for(lambda: follow_answers(peer, "Accept", erin))
