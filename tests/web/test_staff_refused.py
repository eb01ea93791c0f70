"""The staff page of posts not shared: what a community refused or holds, with the reason, the author,
the start of the post and whether the author was told; reached from the dashboard's counts, filtered by
period and reason, valid HTML and accessible in light and dark mode. The notices switch is a setting."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser

from fedicom.groups.models import Group
from fedicom.refusals.models import Refusal
from tests.support.peer import Peer
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import get
from tests.web.scene import XSS_CONTENT, Scene, community, thread
from tests.web.signin import browser_sign_in, staff_client

REFUSED = "/staff/c/news/refused"


async def refusals(inst, peer: Peer) -> Scene:
    """`news` with members; erin (not a member) posts twice, alice's post is held, and bob's post
    carries markup that must never run."""
    scene = await community(inst, peer)
    erin = peer.person("erin")
    await thread(peer, erin, scene.group, "<p>Can I post here?</p>", name="A question")
    await thread(peer, erin, scene.group, XSS_CONTENT, name="<b>Again</b>")
    await Group.filter(name="news").update(premoderation="all")
    inst.groups.forget_group("news")
    await thread(peer, scene.people["alice"], scene.group, "<p>Meetup on Friday</p>", name="Meetup")
    assert await Refusal.all().count() == 3
    return scene


async def test_refused_and_held_posts_are_listed_with_reason_and_whether_the_author_was_told(
    instance, peer: Peer
) -> None:
    inst = await instance()
    await refusals(inst, peer)
    async with staff_client(inst.base, "mia") as http:
        page = await get(http, REFUSED)
        held = await get(http, REFUSED + "?code=held_all&since=24h")
        bad = await get(http, REFUSED + "?code=nonsense")
        worse = await get(http, REFUSED + "?since=forever")
    assert page.status == 200 and page.headers["cache-control"] == "private, no-store"
    text = page.text
    assert "3 items not shared" in text and 'aria-current="page">Not shared</a>' in text
    assert text.index("Meetup") < text.index("A question")  # newest first
    assert "<strong>Held: every post reviewed</strong>" in text and "<strong>Not a member</strong>" in text
    assert text.count("Yes, by direct message") == 2 and text.count("Already told today") == 1
    main = text[text.index("<main") : text.index("</main>")]
    assert "<script" not in main and "onerror" not in main and "<b>Again" not in main
    assert held.status == 200 and "1 item not shared" in held.text and "A question" not in held.text
    assert bad.status == 400 and "Unknown reason &#39;nonsense&#39;" in bad.text
    assert worse.status == 400 and "Since is one of 24h, 7d, all" in worse.text


async def test_staff_reach_the_page_from_the_dashboard_and_switch_notices_off(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    await refusals(inst, peer)
    async with staff_client(inst.base, "mia") as http:
        documents = {path: (await get(http, path)).text for path in (REFUSED, "/staff", "/staff/c/news")}
    assert_valid_html(documents, tmp_path)

    page = await browser_sign_in(browser, inst.base, "mia")
    problems: dict[str, str] = {}
    await check_axe(page, problems, "/staff")
    await page.get_by_role("link", name="3 posts not shared in Daily News in the last 24 hours").click()
    await page.wait_for_url(inst.base + REFUSED + "?since=24h")
    await check_axe(page, problems, REFUSED)
    await screenshot(page, "staff-refused")
    await page.get_by_label("Reason").select_option(label="Not a member")
    await page.get_by_role("button", name="Show").click()
    await page.wait_for_load_state()
    assert await page.get_by_role("table").get_by_text("Not a member").count() == 2
    assert await page.get_by_role("table").get_by_text("Meetup").count() == 0
    await page.emulate_media(color_scheme="dark")
    await check_axe(page, problems, f"{REFUSED} in dark mode")
    await screenshot(page, "staff-refused-dark")

    await page.goto(inst.base + "/staff/c/news")
    box = page.get_by_label("Tell authors why their post was not shared or is waiting")
    assert await box.is_checked()
    await box.uncheck()
    await page.get_by_role("button", name="Save the settings").click()
    await page.wait_for_load_state()
    assert "Saved the notices to authors." in await page.get_by_role("status").inner_text()
    assert (await Group.get(name="news")).notify_refusals is False
    await page.goto(inst.base + REFUSED)
    assert "does not tell authors" in await page.locator("main").inner_text()
    assert problems == {}, problems
