"""The staff reputation page: members by points with their badges, a member left out at their request
and included again through its CSRF-checked form, a bad address refused with a reason and nothing
changed; valid HTML, accessible in light and dark mode."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser

from fedicom.recognition.models import LeftOut
from tests.support.peer import Peer
from tests.web.browser import assert_valid_html, check_axe
from tests.web.http import get
from tests.web.scene import discussion
from tests.web.signin import browser_sign_in, staff_client

PAGE = "/staff/communities/news/reputation"


async def test_moderators_see_points_and_leave_a_member_out_on_request(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await discussion(inst, peer)
    bob = scene.people["bob"].uri
    async with staff_client(inst.base, "mia") as http:
        page = await get(http, PAGE)
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        forged = await http.post(PAGE + "/left-out", data={"actor": bob, "action": "leave-out"})
        assert forged.status_code == 403 and not await LeftOut.exists()
        left = await http.post(
            PAGE + "/left-out", data={"csrf_token": token, "actor": bob, "action": "leave-out"}
        )
        marked = await get(http, PAGE)
        bad = await http.post(
            PAGE + "/left-out", data={"csrf_token": token, "actor": "bob", "action": "leave-out"}
        )
        back = await http.post(
            PAGE + "/left-out", data={"csrf_token": token, "actor": bob, "action": "include"}
        )
        after = await get(http, PAGE)
    assert page.status == 200 and page.headers["cache-control"] == "private, no-store"
    assert 'aria-current="page">Reputation</a>' in page.text
    assert page.text.index(bob.removeprefix("http://")) < page.text.index("/users/alice")  # 3 points, then 2
    assert left.status_code == 303 and "Left out</span>" in marked.text
    assert bad.status_code == 303
    assert (
        back.status_code == 303 and "Left out</span>" not in after.text and await LeftOut.all().count() == 0
    )


async def test_the_reputation_page_is_valid_and_accessible(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    await discussion(inst, peer)
    async with staff_client(inst.base, "mia") as http:
        documents = {PAGE: (await get(http, PAGE)).text}
    assert_valid_html(documents, tmp_path)
    page = await browser_sign_in(browser, inst.base, "mia")
    await page.goto(inst.base + PAGE)
    problems: dict[str, str] = {}
    await check_axe(page, problems, PAGE)
    await page.emulate_media(color_scheme="dark")
    await check_axe(page, problems, PAGE + " (dark)")
    assert problems == {}
