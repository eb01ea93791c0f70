"""Visitors in a real browser (headless Chromium): browsing, sorting, reading a thread, following
from their own server, using only the keyboard, and a small screen."""

from __future__ import annotations

import re
from urllib.parse import quote

from playwright.async_api import Browser, Page

from tests.support.peer import Peer
from tests.web.browser import screenshot
from tests.web.scene import discussion

TITLES = "article.post-summary h3"


async def open_page(browser: Browser, url: str, **options: object) -> Page:
    context = await browser.new_context(**options)  # type: ignore[arg-type]
    page = await context.new_page()
    await page.goto(url)
    return page


async def test_a_visitor_browses_a_community_sorts_it_and_reads_a_thread(
    instance, peer: Peer, browser
) -> None:
    inst = await instance()
    scene = await discussion(inst, peer)
    page = await open_page(browser, inst.base + "/")
    print(f"screenshot: {await screenshot(page, 'home')}")

    # From the directory to the community
    await page.get_by_role("link", name="Daily News").click()
    await page.wait_for_url(f"{inst.base}/c/news")
    assert await page.get_by_role("heading", level=1).inner_text() == "Daily News"
    assert await page.locator(TITLES).all_inner_texts() == ["Fresh news", "Disputed", "Old but loved"]
    await screenshot(page, "community")

    # Sorted by Top: the scores decide
    await page.get_by_role("navigation", name="Sort posts").get_by_role("link", name="Top").click()
    await page.wait_for_url(f"{inst.base}/c/news?sort=top")
    assert await page.locator(TITLES).all_inner_texts() == ["Old but loved", "Fresh news", "Disputed"]
    current = page.locator("nav.sorts a[aria-current=page]")
    assert await current.inner_text() == "Top"
    await screenshot(page, "community-top")

    # A thread with nested replies, continued below the shown depth
    await page.get_by_role("link", name="Fresh news").click()
    fresh = await scene.post("fresh")
    await page.wait_for_url(f"{inst.base}/c/news/p/{fresh.id}")
    assert await page.get_by_role("heading", level=1).inner_text() == "Fresh news"
    assert await page.get_by_text("Reply at level 6").is_visible()
    assert await page.get_by_text("Reply at level 7").count() == 0
    await screenshot(page, "thread")
    await page.get_by_role("link", name=re.compile(r"Continue this thread \(2 more replies\)")).click()
    assert await page.get_by_text("Reply at level 8").is_visible()
    await page.get_by_role("link", name="Read the whole thread").click()
    await page.wait_for_url(f"{inst.base}/c/news/p/{fresh.id}")


async def test_pages_fit_a_phone_screen(instance, peer: Peer, browser) -> None:
    inst = await instance()
    scene = await discussion(inst, peer)
    fresh = await scene.post("fresh")
    for name, path in (("home", "/"), ("community", "/c/news"), ("thread", f"/c/news/p/{fresh.id}")):
        page = await open_page(
            browser, inst.base + path, viewport={"width": 360, "height": 740}, is_mobile=True
        )
        overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
        await screenshot(page, f"{name}-phone")


async def test_following_from_your_server_ends_on_its_follow_page(instance, peer: Peer, browser) -> None:
    inst = await instance()
    await inst.community("news", title="Daily News")
    peer.person("me")
    peer.subscribe_template = f"{peer.base}/authorize_interaction?uri={{uri}}"
    expected = f"{peer.base}/authorize_interaction?uri={quote(inst.base + '/c/news', safe='')}"
    for javascript in (True, False):  # the form needs no script
        page = await open_page(browser, inst.base + "/c/news", java_script_enabled=javascript)
        await page.get_by_label("Your fediverse handle").fill(f"@me@{peer.base.removeprefix('http://')}")
        if javascript:
            await screenshot(page, "follow-form")
        await page.get_by_role("button", name="Follow from your server").click()
        await page.wait_for_url(expected)


async def test_a_mistyped_handle_is_explained_and_the_handle_can_be_copied(
    instance, peer: Peer, browser
) -> None:
    inst = await instance()
    await inst.community("news", title="Daily News")
    page = await open_page(browser, inst.base + "/c/news")
    await page.get_by_label("Your fediverse handle").fill("alice")
    await page.get_by_label("Your fediverse handle").press("Enter")
    alert = page.get_by_role("alert")
    assert "“alice” is not a full handle: it needs your server too." in await alert.inner_text()
    assert await page.get_by_label("Your fediverse handle").input_value() == "alice"
    assert await page.get_by_label("Your fediverse handle").get_attribute("aria-invalid") == "true"
    await screenshot(page, "follow-error")

    # A server without a follow page: the copy button (progressive enhancement) copies the handle
    peer.person("me")
    await page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=inst.base)
    await page.get_by_label("Your fediverse handle").fill(f"@me@{peer.base.removeprefix('http://')}")
    await page.get_by_role("button", name="Follow from your server").click()
    assert "offers no page to follow" in await page.get_by_role("status").inner_text()
    await page.get_by_role("button", name="Copy").click()
    assert await page.evaluate("navigator.clipboard.readText()") == f"@news@{inst.settings.domain}"
    await screenshot(page, "follow-by-hand")


async def test_the_keyboard_alone_reaches_everything_with_a_visible_focus(
    instance, peer: Peer, browser
) -> None:
    inst = await instance()
    await discussion(inst, peer)
    peer.person("me")
    peer.subscribe_template = f"{peer.base}/authorize_interaction?uri={{uri}}"
    page = await open_page(browser, inst.base + "/c/news")

    # The first Tab lands on "Skip to content", shown with a focus ring; Enter moves to the main content
    await page.keyboard.press("Tab")
    focused = await page.evaluate(
        """() => { const e = document.activeElement, s = getComputedStyle(e);
                   return {text: e.textContent, outline: s.outlineStyle, width: s.outlineWidth,
                           left: e.getBoundingClientRect().left}; }"""
    )
    assert focused["text"] == "Skip to content" and focused["left"] >= 0
    assert focused["outline"] != "none" and focused["width"] != "0px"
    await screenshot(page, "keyboard-skip-link")
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "content"

    # Tabbing on reaches every sort link and the follow field, each with a focus ring
    seen: list[str] = []
    for _ in range(60):
        await page.keyboard.press("Tab")
        state = await page.evaluate(
            """() => { const e = document.activeElement, s = getComputedStyle(e);
                       return {id: e.id, text: e.textContent.trim(), outline: s.outlineStyle}; }"""
        )
        assert state["outline"] != "none", f"no visible focus on {state}"
        seen.append(state["id"] or state["text"])
        if state["id"] == "handle":
            break
    assert {"Hot", "New", "Top", "Fresh news", "handle"} <= set(seen), seen
    await page.keyboard.type(f"@me@{peer.base.removeprefix('http://')}")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(re.escape(f"{peer.base}/authorize_interaction?uri=")))
