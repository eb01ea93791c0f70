"""The site's look over real HTTP: an admin sets the name, logo, favicon, colours, footer links and a
stylesheet on the staff page, and every public page shows them through same-origin files, under the
same strict Content-Security-Policy; every refused value is explained and leaves nothing stored."""

from __future__ import annotations

import re

from PIL import Image

from fedicom.branding.contrast import for_dark_mode
from fedicom.branding.models import SiteLook
from fedicom.groups.images import MAX_BYTES
from fedicom.web.headers import content_security_policy
from tests.branding.helpers import (
    ACCENT,
    ACCENT_DARK,
    LINKS,
    NAME,
    SITE,
    STYLESHEET,
    brand_everything,
    ico,
    media_files,
    notices,
    post_files,
    post_look,
    public_pages,
    shown_links,
    visible_text,
)
from tests.support.peer import Peer
from tests.support.pictures import SVG, picture
from tests.web.http import client, get
from tests.web.scene import PASSWORD, discussion
from tests.web.signin import admin, staff_client


async def test_the_brand_set_by_an_admin_shows_on_every_public_page(instance, peer: Peer) -> None:
    # Given a community with threads, and an admin who brands the site
    inst = await instance(instance_name="Plain Server")
    scene = await discussion(inst, peer)
    await admin("ada")
    async with staff_client(inst.base, "ada") as http:
        await brand_everything(http)
        staff_home = await get(http, "/staff")
    look = await SiteLook.get()
    assert (look.name, look.accent, look.accent_dark) == (NAME, ACCENT, ACCENT_DARK)
    assert look.logo and look.favicon and (look.logo_width, look.logo_height) == (400, 100)
    logo, favicon = look.logo, look.favicon
    assert f"<span>{NAME}</span>" in staff_home.text  # staff pages carry the brand too

    # Then every public page shows the name, logo, favicon, colours, stylesheet, links and the credit
    csp = content_security_policy(dev=True)
    async with client(inst.base) as http:
        for path in await public_pages(inst, scene):
            page = await get(http, path)
            assert page.status == (404 if path == "/c/nothing" else 200), path
            text = page.text
            assert f'<img src="/media/{logo}" alt="" width="400" height="100"><span>{NAME}</span>' in text
            assert f'<link rel="icon" href="/media/{favicon}" type="image/png">' in text, path
            links = shown_links(text)
            assert links["stylesheet"].startswith("/site/") and "/site/theme.css?v=" in str(links["all"])
            assert re.search(r'href="/site/style\.css\?v=[0-9a-f]{12}"', text), path
            for label, url in LINKS:
                assert f'<li><a href="{url}">{label}</a></li>' in text, path
            assert 'Runs on <a href="https://github.com/fedicom/fedicom">fedicom</a>' in text
            assert visible_text(text).lower().count("fedicom") == 1, path  # only the credit
            assert "Plain Server" not in text and "style=" not in text
            assert page.headers["content-security-policy"] == csp

        # The colours come in a same-origin stylesheet, cached for good under its version
        home = (await get(http, "/")).text
        theme_url = re.search(r'href="(/site/theme\.css\?v=[0-9a-f]{12})"', home)
        assert theme_url
        theme = await http.get(theme_url.group(1))
        assert theme.status_code == 200 and theme.headers["content-type"] == "text/css; charset=utf-8"
        assert theme.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert f":root {{ --link: {ACCENT}; --accent: {ACCENT}; }}" in theme.text
        assert f"--accent: {ACCENT_DARK};" in theme.text
        stale = await http.get("/site/theme.css?v=000000000000")  # a page rendered before a change
        assert stale.text == theme.text and stale.headers["cache-control"] == "no-cache"

        # The operator's stylesheet as uploaded, as CSS; the favicon at /favicon.ico too
        style_url = re.search(r'href="(/site/style\.css\?v=[0-9a-f]{12})"', home)
        assert style_url
        style = await http.get(style_url.group(1))
        assert style.text == STYLESHEET and style.headers["content-type"] == "text/css; charset=utf-8"
        assert style.headers["x-content-type-options"] == "nosniff"
        served = await http.get("/favicon.ico")
        assert served.status_code == 200 and served.headers["content-type"] == "image/png"
        assert served.content == (inst.settings.data_dir / "media" / favicon).read_bytes()
        assert Image.open(inst.settings.data_dir / "media" / favicon).format == "PNG"

        # The description replaces the setting's on the home and about pages
        assert "Gardening, <em>together</em>." in home
        assert "Gardening, <em>together</em>." in (await get(http, "/about")).text


async def test_a_new_server_shows_its_settings_and_fedicom_only_as_the_credit(instance) -> None:
    inst = await instance(instance_name="Plain Server", instance_description="Just *groups*.")
    async with client(inst.base) as http:
        page = await get(http, "/")
        assert "<span>Plain Server</span>" in page.text and "Just <em>groups</em>." in page.text
        assert "/site/" not in page.text and 'rel="icon"' not in page.text  # nothing set, nothing linked
        assert visible_text(page.text).lower().count("fedicom") == 1
        assert (await http.get("/favicon.ico")).status_code == 404
        assert (await http.get("/site/theme.css")).status_code == 404
        assert (await http.get("/site/style.css")).status_code == 404


async def test_refused_values_are_explained_and_nothing_is_stored(instance) -> None:
    inst = await instance()
    await admin("ada")
    too_big = picture("PNG", (8, 8)) + b"\0" * MAX_BYTES
    async with staff_client(inst.base, "ada") as http:
        for changes, status, reason in (
            (
                {"accent": "#777777"},
                400,
                "The accent colour #777777 reaches only 4.48:1 against the page background (#ffffff) in "
                "light mode; text needs at least 4.5:1 (WCAG 2.x AA): choose a darker colour.",
            ),
            ({"accent_dark": "#0b4fbf"}, 400, "The dark-mode accent colour #0b4fbf reaches only"),
            ({"accent": "purple"}, 400, "The accent colour must be written #rrggbb"),
            (
                {"link_url_1": "http://acme.example/legal"},
                400,
                "The footer link 'Legal notice' must lead to an https:// address",
            ),
            ({"link_url_2": "javascript:alert(1)"}, 400, "The footer link 'Acme' must lead to an https://"),
            ({"link_label_2": ""}, 400, "A footer link's label is 1 to 60 characters."),
            ({"name": "x" * 101}, 400, "The name is longer than 100 characters."),
        ):
            resp = await post_look(http, **changes)
            assert resp.status_code == status, (changes, resp.text)
            [(kind, text)] = notices(resp.text)
            assert kind == "error-box" and text.startswith(reason), text
            if "name" not in changes:
                assert 'value="Acme Gardens"' in resp.text  # what was typed is shown again
        for files, status, reason in (
            (
                {"logo": ("logo.png", b"not an image at all", "image/png")},
                415,
                "The logo is not a PNG, JPEG, GIF or WebP image.",
            ),
            (
                {"logo": ("logo.svg", SVG, "image/svg+xml")},
                415,
                "The logo is not a PNG, JPEG, GIF or WebP image.",
            ),
            ({"logo": ("big.png", too_big, "image/png")}, 413, "The logo is larger than 2 MiB."),
            (
                {"favicon": ("f.jpg", picture("JPEG"), "image/jpeg")},
                415,
                "The favicon is not a PNG or ICO image.",
            ),
            ({"favicon": ("f.ico", ico()[:30], "image/x-icon")}, 400, "The favicon could not be read"),
            (
                {"stylesheet": ("s.css", b"\xff\xfe body{}", "text/css")},
                415,
                "The stylesheet is not UTF-8 text.",
            ),
            (
                {"stylesheet": ("s.css", b"a{}" * 40_000, "text/css")},
                413,
                "The stylesheet is larger than 100 KiB.",
            ),
            ({}, 400, "Choose a logo, a favicon or a stylesheet to upload, or one to remove."),
        ):
            resp = await post_files(http, files)
            assert resp.status_code == status, (files.keys(), resp.text)
            [(kind, text)] = notices(resp.text)
            assert kind == "error-box" and text.startswith(reason), text
        # one good value beside a bad one: nothing of either is kept
        resp = await post_files(
            http,
            {
                "logo": ("ok.png", picture(), "image/png"),
                "favicon": ("bad.png", b"\x89PNG\r\n\x1a\nbroken", "image/png"),
            },
        )
        assert resp.status_code == 415
    assert not await SiteLook.exists() and media_files(inst) == []
    async with client(inst.base) as http:
        assert "/site/" not in (await get(http, "/")).text


async def test_changes_replace_and_remove_what_was_set(instance, peer: Peer) -> None:
    inst = await instance(instance_name="Plain Server")
    await admin("ada")
    async with staff_client(inst.base, "ada") as http:
        await brand_everything(http)
        # the same form again changes nothing; a light colour alone gets a derived dark shade
        resp = await post_look(http)
        assert notices((await get(http, SITE)).text) == [("done-box", "Nothing changed.")]
        resp = await post_look(
            http, accent="#006400", accent_dark="", name="", link_label_2="", link_url_2=""
        )
        assert resp.status_code == 303
        assert notices((await get(http, SITE)).text) == [
            ("done-box", "Saved the name, accent colour, dark-mode accent colour, footer links.")
        ]
        resp = await post_files(http, {}, remove_logo="on", remove_stylesheet="on")
        assert resp.status_code == 303
        page = await get(http, "/")
    assert "<span>Plain Server</span>" in page.text and "<img src=" not in page.text.split("</header>")[0]
    assert "/site/style.css" not in page.text and 'rel="icon"' in page.text
    assert "https://acme.example/legal" in page.text and 'https://acme.example/"' not in page.text
    look = await SiteLook.get()
    assert (look.logo, look.stylesheet, look.accent_dark, look.logo_width) == (None, "", None, 0)
    async with client(inst.base) as http:
        theme = await http.get("/site/theme.css")
    assert f"--accent: {for_dark_mode('#006400')};" in theme.text


async def test_only_admins_see_and_change_the_look(instance, peer: Peer) -> None:
    inst = await instance()
    await discussion(inst, peer)  # mia moderates news
    await admin("ada")
    async with staff_client(inst.base, "mia") as http:
        dashboard = await get(http, "/staff")
        assert 'href="/staff/site"' not in dashboard.text
        assert (await http.get(SITE)).status_code == 403
        token = dashboard.csrf_token()
        resp = await http.post(SITE, data={"csrf_token": token, "name": "Mia's"})
        assert resp.status_code == 403 and "Mia is not an instance admin." in resp.text
        resp = await http.post(
            f"{SITE}/files", data={"csrf_token": token}, files={"logo": ("l.png", picture(), "image/png")}
        )
        assert resp.status_code == 403
    async with staff_client(inst.base, "ada") as http:
        assert 'href="/staff/site"' in (await get(http, "/staff")).text
        await get(http, SITE)
        assert (await http.post(SITE, data={"name": "Forged"})).status_code == 403  # no CSRF token
    async with client(inst.base) as http:
        resp = await http.get(SITE)
        assert resp.status_code == 303 and resp.headers["location"].startswith("/staff/sign-in")
    assert not await SiteLook.exists() and media_files(inst) == []
    assert PASSWORD  # the scene's staff sign in with it


async def test_a_community_accent_colours_its_pages_only(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await discussion(inst, peer)
    from tests.web.test_staff_communities import as_sent, post_form  # the settings form as a browser sends it

    async with staff_client(inst.base, "mia") as http:
        resp = await post_form(http, "/staff/c/news", **as_sent(accent="#aaaaaa"))
        assert resp.status_code == 400
        [(_, text)] = notices(resp.text)
        assert text.startswith("The accent colour #aaaaaa reaches only 2.32:1 against the page background")
        assert 'value="#aaaaaa"' in resp.text
        resp = await post_form(http, "/staff/c/news", **as_sent(accent="#8B0000"))
        assert resp.status_code == 303
        assert notices((await get(http, "/staff/c/news")).text) == [("done-box", "Saved the accent colour.")]
    link = '<link rel="stylesheet" href="/site/accent/8b0000.css">'
    thread = await scene.post("fresh")
    async with client(inst.base) as http:
        for path in ("/c/news", f"/c/news/p/{thread.id}", "/c/news/privacy", "/c/news/follow"):
            assert link in (await get(http, path)).text, path
        for path in ("/", "/about", "/modlog"):
            assert "/site/accent/" not in (await get(http, path)).text, path
        css = await http.get("/site/accent/8b0000.css")
        assert css.headers["content-type"] == "text/css; charset=utf-8"
        assert ":root { --link: #8b0000; --accent: #8b0000; }" in css.text
        assert f"--accent: {for_dark_mode('#8b0000')};" in css.text
        assert (await http.get("/site/accent/8B0000.css")).status_code == 404
        assert (await http.get("/site/accent/red.css")).status_code == 404
