"""The invite page, the embeddable widget and the staff Invites page in Chromium.

The widget is loaded the way a brand's site loads it: an <iframe> in a page served by another loopback
server (another origin) under a strict Content-Security-Policy. It shows the latest threads, sets no
cookie and loads no script; every page is valid HTML and passes axe, light and dark."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp import web
from playwright.async_api import Browser, ConsoleMessage, Request

from fedicom.groups.models import Group, Moderator
from fedicom.invites.links import create_invite
from tests.support.peer import Peer
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import client, get
from tests.web.scene import discussion
from tests.web.signin import browser_sign_in, form_token, staff_client

# The brand's page: nothing but frames from fedicom, no script or style of its own
BRAND_CSP = "default-src 'none'; frame-src {origin}; script-src 'none'; style-src 'none'; base-uri 'none'"
BRAND_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Brand</title></head>
<body><h1>Our brand</h1>
<iframe src="{src}" title="Daily News on the fediverse" width="360" height="460"></iframe>
</body></html>"""


@asynccontextmanager
async def brand_site(widget: str, fedicom_origin: str) -> AsyncIterator[str]:
    """Another origin: a plain page that embeds the widget, under a strict policy of its own."""

    async def page(_request: web.Request) -> web.Response:
        return web.Response(
            text=BRAND_PAGE.format(src=widget),
            content_type="text/html",
            headers={"Content-Security-Policy": BRAND_CSP.format(origin=fedicom_origin)},
        )

    app = web.Application()
    app.router.add_get("/", page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.2", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.2:{port}/"
    finally:
        await runner.cleanup()


async def test_the_widget_embedded_on_another_site_shows_threads_sets_no_cookie_and_runs_no_script(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    await discussion(inst, peer)
    widget = f"{inst.base}/c/news/widget"
    async with client(inst.base) as http:
        direct = await get(http, "/c/news/widget")
    assert direct.status == 200
    assert "set-cookie" not in direct.headers and "x-frame-options" not in direct.headers
    csp = direct.headers["content-security-policy"]
    assert "frame-ancestors *" in csp and "script-src" not in csp and "default-src 'none'" in csp
    assert "<script" not in direct.text
    assert_valid_html({"widget": direct.text}, tmp_path)

    problems: dict[str, str] = {}
    async with brand_site(widget, inst.base) as brand:
        context = await browser.new_context()
        page = await context.new_page()
        requests: list[Request] = []
        refused: list[str] = []

        def heard(message: ConsoleMessage) -> None:
            if "Content Security Policy" in message.text:
                refused.append(message.text)

        def requested(request: Request) -> None:
            requests.append(request)

        page.on("request", requested)
        page.on("console", heard)
        for scheme in ("light", "dark"):
            await page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
            await page.goto(brand)
            frame = page.frame_locator("iframe")
            titles = await frame.locator(".threads li a").all_inner_texts()
            assert titles == ["Disputed", "Fresh news", "Old but loved"]  # newest first
            follow = frame.locator("a.follow")
            assert await follow.get_attribute("href") == f"{inst.base}/c/news/invite"
            assert await follow.get_attribute("target") == "_blank"
            [inner] = [f for f in page.frames if f.url == widget]
            assert await inner.evaluate("document.cookie") == ""
            await check_axe(page, problems, f"brand page with the widget, {scheme}")
            embedded = page.locator("iframe")
            if scheme == "light":
                await screenshot(page, "widget-light", embedded)
            else:
                await screenshot(page, "widget-dark", embedded)
        assert await context.cookies() == []
        await context.close()
    assert problems == {}, "\n".join(f"{p}: {v}" for p, v in problems.items())
    assert refused == [], refused  # neither policy was broken: the widget is framed, its styles load
    assert [r.url for r in requests if r.resource_type == "script"] == []
    origins = {r.url.split("/", 3)[2] for r in requests}
    assert origins <= {brand.split("/")[2], inst.base.split("/")[2]}, origins  # no third party


async def test_the_invite_pages_are_valid_accessible_light_and_dark(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    await discussion(inst, peer)  # news: public, with mia as its moderator
    beta = await inst.community(
        "beta",
        title="Beta testers",
        private=True,
        summary="Try the brand's app before anyone else, and tell us what breaks.",
    )
    await Moderator.create(group=beta, actor=inst.site.staff_uri("mia"))
    invite = await create_invite(beta, inst.site.staff_uri("mia"), uses=10)
    link = f"/c/beta/invite/{invite.code}"
    async with client(inst.base) as http:
        documents = {
            "public invite page": (await get(http, "/c/news/invite")).text,
            "private invite page": (await get(http, "/c/beta/invite")).text,
            "invite link": (await get(http, link)).text,
        }
        token = (await get(http, link)).csrf_token()
        wrong = await http.post(link, data={"handle": "nobody", "csrf_token": token})
        documents["invite link, a wrong handle"] = wrong.text
    assert wrong.status_code == 400
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, "/staff/c/beta/invites")
        made = await http.post(
            "/staff/c/beta/invites", data={"csrf_token": token, "uses": "5", "expires": "7d"}
        )
        assert made.status_code == 303
        created = await get(http, "/staff/c/beta/invites")
        assert "Invite link created: " + inst.base + "/c/beta/invite/" in created.text
        refused = await http.post("/staff/c/beta/invites", data={"csrf_token": token, "expires": "soon"})
        assert refused.status_code == 303
        staff_page = await get(http, "/staff/c/beta/invites")
        documents["staff invites"] = staff_page.text
        documents["staff invites, public"] = (await get(http, "/staff/c/news/invites")).text
        forged = await http.post("/staff/c/beta/invites", data={"uses": "1"})
    assert "&#39;soon&#39; is not a duration" in staff_page.text
    assert staff_page.text.count("Revoke the invite link") == 2 and forged.status_code == 403
    assert_valid_html(documents, tmp_path)

    problems: dict[str, str] = {}
    page = await browser.new_page()
    for scheme in ("light", "dark"):
        await page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        await page.goto(inst.base + link)
        assert await page.locator("svg.qr title").text_content() == f"QR code of the link {inst.base}{link}"
        await check_axe(page, problems, f"invite link, {scheme}")
        if scheme == "light":
            await screenshot(page, "invite-light")
        else:
            await screenshot(page, "invite-dark")
        await page.goto(inst.base + "/c/news/invite")
        await check_axe(page, problems, f"public invite page, {scheme}")
    await page.close()

    staff = await browser_sign_in(browser, inst.base, "mia")
    for scheme in ("light", "dark"):
        await staff.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        await staff.goto(inst.base + "/staff/c/beta/invites")
        await check_axe(staff, problems, f"staff invites, {scheme}")
        if scheme == "light":
            await screenshot(staff, "staff-invites")
        else:
            await screenshot(staff, "staff-invites-dark")
    assert problems == {}, "\n".join(f"{p}: {v}" for p, v in problems.items())
    assert await Group.filter(name="beta", private=True).exists()
