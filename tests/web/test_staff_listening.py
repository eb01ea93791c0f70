"""The staff listening page: what a community heard beyond itself, newest first with a link to answer
each on its server, volume and sentiment per day as charts with their table, keywords added and removed
by its moderators; valid HTML, accessible in light and dark mode; only for the community's staff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.async_api import Browser

from fedicom.groups.models import Group
from fedicom.listening.hearing import Ears, hear
from fedicom.listening.models import ListenKind, Subscription
from fedicom.listening.subscriptions import add_term
from tests.support.peer import PUBLIC, Peer
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import get
from tests.web.scene import community
from tests.web.signin import browser_sign_in, staff_client

PAGE = "/staff/communities/news/listening"
POSTS = [
    ("Daily News got the story wrong again, awful reporting.", 3),
    ("Great piece by Daily News on the harbour, thank you!", 2),
    ("Daily News is on the front page today.", 0),
    ("Die Daily News berichtet heute über den Hafen.", 0),
]


async def heard_world(inst, peer: Peer) -> None:  # type: ignore[no-untyped-def]
    """`news` listens for "daily news" and #dailynews; four posts from elsewhere were heard over days."""
    await community(inst, peer)
    group = await Group.get(name="news")
    await add_term(group, ListenKind.KEYWORD, "Daily News")
    await add_term(group, ListenKind.HASHTAG, "dailynews")
    zoe = peer.person("zoe")
    for text, days_ago in POSTS:
        note = peer.note(zoe, f"<p>{text}</p>", to=[PUBLIC], url=f"{peer.base}/@zoe/{days_ago}")
        await hear(inst.groups, Ears(), note, now=datetime.now(UTC) - timedelta(days=days_ago))


async def test_moderators_read_what_was_heard_and_manage_keywords(instance, peer: Peer) -> None:
    inst = await instance()
    await heard_world(inst, peer)
    async with staff_client(inst.base, "mia") as http:
        page = await get(http, PAGE)
        data = (await http.get(PAGE + ".json?days=7")).json()
        wrong = await get(http, PAGE + "?days=5")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        added = await http.post(PAGE, data={"csrf_token": token, "kind": "keyword", "term": "harbour"})
        relay = await http.post(
            PAGE, data={"csrf_token": token, "kind": "relay", "term": "https://r.example"}
        )
        harbour = await Subscription.get(term="harbour")
        removed = await http.post(
            PAGE + "/remove", data={"csrf_token": token, "subscription": str(harbour.id)}
        )
        after = await get(http, PAGE)
    text = page.text
    assert page.status == 200 and page.headers["cache-control"] == "private, no-store"
    assert text.count('<svg class="chart"') == 2 and 'aria-current="page">Listening</a>' in text
    # newest first, each with the link to answer it on its server
    assert text.index("front page today") < text.index("harbour, thank you") < text.index("wrong again")
    assert f'href="{peer.base}/@zoe/3"' in text and "Read and answer it on its server" in text
    assert "matched daily news" in text and "#dailynews" in text
    assert [d["posts"] for d in data["days"]][-4:] == [1, 1, 0, 2]
    assert sum(d["negative"] for d in data["days"]) == 1 and sum(d["not_scored"] for d in data["days"]) == 1
    assert data["total"] == 4 and data["heard"][0]["url"].endswith("/@zoe/0")
    assert wrong.status == 400
    assert added.status_code == 303 and relay.status_code == 403  # a relay is for admins
    assert removed.status_code == 303 and "harbour" not in after.text.split("Posts heard")[0]


async def test_the_page_is_valid_and_accessible_in_both_modes(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    await heard_world(inst, peer)
    async with staff_client(inst.base, "mia") as http:
        documents = {path: (await get(http, path)).text for path in (PAGE, PAGE + "?days=7")}
    assert_valid_html(documents, tmp_path)

    page = await browser_sign_in(browser, inst.base, "mia")
    await page.goto(inst.base + "/staff/c/news")
    await page.get_by_role("link", name="Listening").click()
    await page.wait_for_url(inst.base + PAGE)
    problems: dict[str, str] = {}
    assert await page.locator("svg.chart").count() == 2
    await page.get_by_text("Posts heard per day: the figures").click()
    assert await page.get_by_role("table", name="Posts heard per day, by how they read").is_visible()
    await check_axe(page, problems, PAGE)
    await screenshot(page, "staff-listening")
    await page.emulate_media(color_scheme="dark")
    await check_axe(page, problems, PAGE + " (dark)")
    await screenshot(page, "staff-listening-dark")
    assert problems == {}
