"""The Aliases box of a community's settings page over real HTTP and in Chromium: a moderator lists the
brand's account by its handle, members' servers receive the new `alsoKnownAs`, a Move from it is then
recorded on the page, and a wrong account is refused with its reason; valid, accessible, light and dark."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser

from fedicom.groups.models import Alias
from tests.support.peer import Peer
from tests.support.steps import announced, send
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import get
from tests.web.scene import community
from tests.web.signin import browser_sign_in, form_token, staff_client
from tests.web.test_staff_communities import NEWS, notices

ALIASES = f"{NEWS}/aliases"


async def test_a_moderator_adds_an_alias_members_see_it_and_its_move_is_shown(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await community(inst, peer, members=("alice",))
    brand = peer.person("brand")
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, NEWS)
        handle = f"@brand@{peer.base.removeprefix('http://')}"
        added = await http.post(ALIASES, data={"csrf_token": token, "account": handle})
        assert added.status_code == 303
        page = await get(http, NEWS)
        assert notices(page.text) == [
            ("done-box", f"{brand.uri} is now an alias of news: its server can move its followers here.")
        ]
        assert "Not yet" in page.text
        [wrapped] = await peer.wait_for(lambda: announced(peer, "Update", scene.group))
        assert wrapped["object"]["object"]["alsoKnownAs"] == [brand.uri]

        move = {
            "id": f"{brand.uri}#moves/1",
            "type": "Move",
            "actor": brand.uri,
            "object": brand.uri,
            "target": scene.group,
        }
        assert (await send(peer, brand, f"{scene.group}/inbox", move)).error is None
        assert "Not yet" not in (await get(http, NEWS)).text

        gone = await http.post(ALIASES, data={"csrf_token": token, "remove": brand.uri})
        assert gone.status_code == 303 and not await Alias.exists()


async def test_a_wrong_account_is_refused_with_its_reason_and_the_csrf_token_is_required(
    instance, peer: Peer
) -> None:
    inst = await instance()
    await community(inst, peer, members=())
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, NEWS)
        refused = await http.post(ALIASES, data={"csrf_token": token, "account": "brand"})
        assert refused.status_code == 400
        assert notices(refused.text) == [
            ("error-box", "'brand' is neither a handle (@user@host) nor an actor URL.")
        ]
        forged = await http.post(ALIASES, data={"account": f"{peer.base}/users/x"})
        assert forged.status_code == 403
    assert not await Alias.exists()


async def test_the_box_is_valid_html_and_accessible_in_light_and_dark(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    await community(inst, peer, members=())
    peer.person("brand")
    handle = f"@brand@{peer.base.removeprefix('http://')}"
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, NEWS)
        documents = {"refused": (await http.post(ALIASES, data={"csrf_token": token, "account": "x"})).text}
        await http.post(ALIASES, data={"csrf_token": token, "account": handle})
        documents["with an alias"] = (await get(http, NEWS)).text
    assert_valid_html(documents, tmp_path)

    page = await browser_sign_in(browser, inst.base, "mia")
    await page.goto(inst.base + NEWS + "#aliases-heading")
    problems: dict[str, str] = {}
    box = page.locator("section", has=page.locator("#aliases-heading"))
    await page.emulate_media(color_scheme="light")
    await check_axe(page, problems, "light")
    await screenshot(page, "staff-aliases-light", box)
    await page.emulate_media(color_scheme="dark")
    await check_axe(page, problems, "dark")
    await screenshot(page, "staff-aliases-dark", box)
    assert problems == {}, "\n".join(f"{p}: {v}" for p, v in problems.items())
