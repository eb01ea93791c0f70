"""Members' pictures and polls in a real browser (headless Chromium): the pictures load through this
server only, with their descriptions; a sensitive one opens on a click, without script; a poll shows
its results in words and bars; the pages pass the HTML checker and axe-core, in light and dark."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Request

from tests.support.media_server import media_server
from tests.support.peer import Peer
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import client
from tests.web.scene import community, post_of, thread

QUESTION = {
    "type": "Question",
    "endTime": "2099-11-27T09:00:00Z",
    "votersCount": 10,
    "oneOf": [
        {"type": "Note", "name": "Saturday", "replies": {"type": "Collection", "totalItems": 6}},
        {"type": "Note", "name": "Sunday", "replies": {"type": "Collection", "totalItems": 3}},
        {"type": "Note", "name": "A weekday evening", "replies": {"type": "Collection", "totalItems": 1}},
    ],
}


def picture(url: str, name: str, media_type: str = "image/png", **extra: Any) -> dict[str, Any]:
    return {"type": "Document", "mediaType": media_type, "url": url, "name": name, **extra}


async def test_a_visitor_sees_members_pictures_and_polls_and_their_browser_asks_only_us(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    scene = await community(inst, peer, members=("alice", "bob"))
    async with media_server() as media:
        alice, bob = scene.people["alice"], scene.people["bob"]
        photos, _ = await thread(
            peer,
            alice,
            scene.group,
            "<p>The balcony this morning.</p>",
            name="Balcony garden",
            attachment=[
                picture(
                    media.url("/photo.jpg"),
                    "Tomatoes ripening in a red pot",
                    "image/jpeg",
                    width=2400,
                    height=1800,
                ),
                picture(media.url("/drawing.png"), "A plan of the beds, drawn in blue"),
            ],
        )
        warned, _ = await thread(
            peer,
            bob,
            scene.group,
            "<p>Found in the shed.</p>",
            summary="spiders",
            sensitive=True,
            attachment=[picture(media.url("/drawing.png"), "A garden spider")],
        )
        poll, _ = await thread(
            peer, alice, scene.group, "<p>Which day suits the next meetup?</p>", name="Meetup day", **QUESTION
        )
        paths = {
            "pictures": f"/c/news/p/{(await post_of(photos['id'])).id}",
            "warning": f"/c/news/p/{(await post_of(warned['id'])).id}",
            "poll": f"/c/news/p/{(await post_of(poll['id'])).id}",
            "list": "/c/news?sort=new",
        }
        elsewhere: list[str] = []

        def record(request: Request) -> None:
            if not request.url.startswith(inst.base):
                elsewhere.append(request.url)

        context = await browser.new_context()
        page = await context.new_page()
        page.on("request", record)
        problems: dict[str, str] = {}

        await page.goto(inst.base + paths["pictures"])
        tomatoes = page.get_by_role("img", name="Tomatoes ripening in a red pot")
        await tomatoes.scroll_into_view_if_needed()
        loaded = "() => [...document.querySelectorAll('.pictures img')].every(i => i.naturalWidth > 0)"
        await page.wait_for_function(loaded)
        assert await tomatoes.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [1600, 1200]
        assert await page.get_by_role("img", name="A plan of the beds, drawn in blue").is_visible()
        await screenshot(page, "media-pictures")
        await check_axe(page, problems, "pictures")

        await page.goto(inst.base + paths["warning"])
        spider = page.get_by_role("img", name="A garden spider")
        assert not await spider.is_visible()  # behind the warning until asked for
        await page.get_by_text("spiders: show 1 picture").click()
        assert await spider.is_visible()
        await screenshot(page, "media-warning-opened")
        await check_axe(page, problems, "warning")

        await page.goto(inst.base + paths["poll"])
        poll_box = page.get_by_role("region", name="Poll")
        assert "Saturday 60% (6 votes)" in " ".join((await poll_box.inner_text()).split())
        assert "One choice · 10 people voted" in await poll_box.inner_text()
        await screenshot(page, "media-poll")
        await check_axe(page, problems, "poll")

        await page.goto(inst.base + paths["list"])
        await page.wait_for_function(
            "() => [...document.querySelectorAll('img.thumb')].every(i => i.naturalWidth > 0)"
        )
        await screenshot(page, "media-community")
        await check_axe(page, problems, "list")

        await page.emulate_media(color_scheme="dark")
        for name in ("pictures", "poll", "list"):
            await page.goto(inst.base + paths[name])
            await screenshot(page, f"media-{name}-dark")
            await check_axe(page, problems, f"{name} in dark mode")

        assert problems == {}, "\n".join(f"{p}: {v}" for p, v in problems.items())
        assert elsewhere == [], f"the browser asked other servers: {elsewhere}"
        assert media.hits["/photo.jpg"] == 1 and media.hits["/drawing.png"] == 1  # fetched by us, once
        await context.close()

        async with client(inst.base) as http:
            documents = {path: (await http.get(path)).text for path in paths.values()}
        assert_valid_html(documents, tmp_path)
