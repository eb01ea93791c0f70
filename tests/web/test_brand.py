"""The brand in a real browser: an admin sets the site's name, logo and colours on the staff page, and
every public page shows them in light and dark mode, still valid HTML and clean for axe; the Rules link
other servers show lands on the rules."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page

from tests.branding.helpers import ACCENT, ACCENT_DARK, LINKS, NAME, ico, public_pages
from tests.support.peer import Peer
from tests.support.pictures import picture
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import client
from tests.web.scene import discussion
from tests.web.signin import admin, browser_sign_in, staff_documents


def rgb(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


async def brand_in_the_browser(page: Page, base: str, tmp_path: Path) -> None:
    """The admin's way: the staff menu's Site look, both forms, each saved with its notice."""
    await page.get_by_role("navigation", name="Staff").get_by_role("link", name="Site look").click()
    await page.wait_for_url(base + "/staff/site")
    await page.get_by_label("Name", exact=True).fill(NAME)
    await page.get_by_label("Light mode").fill(ACCENT)
    await page.get_by_label("Dark mode").fill(ACCENT_DARK)
    for i, (label, url) in enumerate(LINKS, start=1):
        await page.get_by_label(f"Label {i}", exact=True).fill(label)
        await page.get_by_label(f"Address {i}", exact=True).fill(url)
    await page.get_by_role("button", name="Save the name, colours and links").click()
    assert "Saved the name" in await page.get_by_role("status").inner_text()
    logo, favicon = tmp_path / "acme.png", tmp_path / "favicon.ico"
    logo.write_bytes(picture("PNG", (400, 100), color=(138, 43, 226)))
    favicon.write_bytes(ico())
    await page.get_by_label("Logo", exact=True).set_input_files(str(logo))
    await page.get_by_label("Favicon", exact=True).set_input_files(str(favicon))
    await page.get_by_role("button", name="Save the files").click()
    assert "Saved the logo, favicon" in await page.get_by_role("status").inner_text()
    await screenshot(page, "staff-site")


async def test_the_brand_set_on_the_staff_page_shows_on_every_public_page(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance(instance_name="Plain Server")
    scene = await discussion(inst, peer)
    await admin("ada")
    staff_page = await browser_sign_in(browser, inst.base, "ada")
    await brand_in_the_browser(staff_page, inst.base, tmp_path)

    paths = await public_pages(inst, scene)
    problems: dict[str, str] = {}
    for scheme, accent in (("light", ACCENT), ("dark", ACCENT_DARK)):
        context = await browser.new_context(color_scheme=scheme)  # type: ignore[arg-type]
        page = await context.new_page()
        for path in paths:
            await page.goto(inst.base + path)
            brand = page.locator("header.site a.brand")
            assert await brand.inner_text() == NAME, path
            logo = brand.locator("img")
            assert await logo.evaluate("i => i.complete && i.naturalWidth") == 400, path
            assert (await logo.bounding_box() or {}).get("height") == 48, path
            link = page.get_by_role("navigation", name="Footer").get_by_role("link", name=LINKS[0][0])
            assert await link.get_attribute("href") == LINKS[0][1]
            assert await link.evaluate("a => getComputedStyle(a).color") == rgb(accent), (scheme, path)
            credit = page.locator("footer.site .credit")
            assert await credit.inner_text() == "Runs on fedicom"
            favicon = await page.evaluate("document.querySelector('link[rel=icon]').href")
            assert favicon.startswith(inst.base + "/media/")
            await check_axe(page, problems, f"{path} ({scheme})")
        for name, path in (("home", "/"), ("community", "/c/news"), ("privacy", "/c/news/privacy")):
            await page.goto(inst.base + path)
            await screenshot(page, f"brand-{name}-{scheme}")
        await context.close()
    assert problems == {}, "\n".join(f"{p}: {v}" for p, v in problems.items())

    documents = {}
    async with client(inst.base) as http:
        for path in paths:
            documents[path] = (await http.get(path)).text
    documents |= await staff_documents(inst.base, {"ada": ["/staff/site", "/staff/c/news", "/staff"]})
    assert_valid_html(documents, tmp_path)


async def test_the_rules_link_of_the_profile_lands_on_the_rules(
    instance, peer: Peer, browser: Browser
) -> None:
    inst = await instance()
    await discussion(inst, peer)
    context = await browser.new_context(viewport={"width": 1000, "height": 500})
    page = await context.new_page()
    await page.goto(inst.base + "/c/news#rules")
    heading = page.get_by_role("heading", name="Rules", exact=True)
    box = await heading.bounding_box()
    assert box is not None and -2 <= box["y"] < 100  # scrolled to the top of the window
    assert await page.evaluate("window.scrollY") > 0
    region = page.get_by_role("region", name="Rules")
    assert "Be kind." in await region.inner_text()
