"""The "Move this community" box of a community's settings page over real HTTP and in Chromium: an owner
moves the community to a new home that lists it in alsoKnownAs, after ticking the confirmation; members'
servers get the Move; a missing confirmation or an unlisted new home is refused with its reason; the box
is valid, accessible, light and dark."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser

from fedicom.groups.models import Group, Moderator
from tests.support.peer import Peer, Person
from tests.support.steps import post_of, thread
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import get
from tests.web.scene import community
from tests.web.signin import browser_sign_in, form_token, staff_client
from tests.web.test_staff_communities import NEWS, notices

MOVE = f"{NEWS}/move"


async def owned_news(inst, peer: Peer, members: tuple[str, ...] = ()) -> tuple[str, Person]:  # type: ignore[no-untyped-def]
    """`news`, owned by mia, and its new home elsewhere (a Group that does not list it yet)."""
    scene = await community(inst, peer, members=members)
    await Moderator.filter(actor=scene.moderator).update(role="owner")
    return scene.group, peer.person("newhome", doc_extra={"type": "Group"})


async def test_an_owner_moves_the_community_once_confirmed_and_members_get_the_move(
    instance, peer: Peer
) -> None:
    inst = await instance()
    old, home = await owned_news(inst, peer, members=("alice",))
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, NEWS)
        unconfirmed = await http.post(MOVE, data={"csrf_token": token, "to": home.uri})
        assert unconfirmed.status_code == 400
        assert notices(unconfirmed.text) == [("error-box", "Tick the box to confirm the move.")]
        unlisted = await http.post(MOVE, data={"csrf_token": token, "to": home.uri, "confirm": "yes"})
        assert unlisted.status_code == 400
        [(kind, text)] = notices(unlisted.text)
        assert kind == "error-box" and f"does not list {old} in alsoKnownAs" in text
        forged = await http.post(MOVE, data={"to": home.uri, "confirm": "yes"})
        assert forged.status_code == 403
        assert (await Group.get(name="news")).moved_to is None

        home.doc_extra["alsoKnownAs"] = [old]
        moved = await http.post(MOVE, data={"csrf_token": token, "to": home.uri, "confirm": "yes"})
        assert moved.status_code == 303
        page = await get(http, NEWS)
        assert notices(page.text) == [
            ("done-box", f"News has moved to {home.uri}: its followers' servers are told.")
        ]
        assert "This community has moved to" in page.text
    [move] = await peer.wait_for(lambda: peer.received_of("Move"))
    assert (move["actor"], move["target"]) == (old, home.uri)


async def test_a_moderator_who_is_not_an_owner_may_not_move_it(instance, peer: Peer) -> None:
    inst = await instance()
    old, home = await owned_news(inst, peer)
    await Moderator.filter(actor=inst.site.staff_uri("mia")).update(role="moderator")
    home.doc_extra["alsoKnownAs"] = [old]
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, NEWS)
        refused = await http.post(MOVE, data={"csrf_token": token, "to": home.uri, "confirm": "yes"})
        assert refused.status_code == 403
        assert notices(refused.text) == [("error-box", "Only an owner of news or an admin may move it.")]
    assert (await Group.get(name="news")).moved_to is None


async def test_the_box_is_valid_html_and_accessible_in_light_and_dark(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    old, home = await owned_news(inst, peer, members=("alice",))
    note, _ = await thread(peer, peer.people["alice"], old, "<p>An old thread</p>")
    thread_page = f"/c/news/p/{(await post_of(note['id'])).id}"
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, NEWS)
        documents = {"before": (await get(http, NEWS)).text}
        documents["refused"] = (await http.post(MOVE, data={"csrf_token": token, "to": "x"})).text
        home.doc_extra["alsoKnownAs"] = [old]
        await http.post(MOVE, data={"csrf_token": token, "to": home.uri, "confirm": "yes"})
        documents["moved"] = (await get(http, NEWS)).text
        documents["a thread of the moved community"] = (await get(http, thread_page)).text
    assert (
        f'This community has moved to <a href="{home.uri}">' in documents["a thread of the moved community"]
    )
    assert_valid_html(documents, tmp_path)

    page = await browser_sign_in(browser, inst.base, "mia")
    await page.goto(inst.base + NEWS + "#move-heading")
    problems: dict[str, str] = {}
    box = page.locator("section", has=page.locator("#move-heading"))
    await page.emulate_media(color_scheme="light")
    await check_axe(page, problems, "light")
    await screenshot(page, "staff-move-light", box)
    await page.emulate_media(color_scheme="dark")
    await check_axe(page, problems, "dark")
    await screenshot(page, "staff-move-dark", box)
    await page.goto(inst.base + thread_page)  # the public thread page, with its notice
    for scheme in ("light", "dark"):
        await page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        await check_axe(page, problems, f"thread {scheme}")
    assert problems == {}, "\n".join(f"{p}: {v}" for p, v in problems.items())
