"""`fedicom site show|set` and the admin API's /site drive the same service as the staff page: the same
checks (contrast, https links, pictures by their bytes), JSON for tools, and the pages follow."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from fedicom.branding.look import REFRESH_SECONDS
from fedicom.branding.models import SiteLook
from fedicom.groups.models import Group
from fedicom.moderation.moderators import add_moderator
from fedicom.staff.accounts import create_staff
from fedicom.staff.tokens import create_token
from tests.branding.helpers import ico, visible_text
from tests.support.cli import Run, in_db, one_line
from tests.support.pictures import picture
from tests.support.servers import Instance
from tests.web.scene import PASSWORD


def test_site_set_and_show_with_every_option(migrated: Run, env: dict[str, str], tmp_path: Path) -> None:
    logo, favicon, css = tmp_path / "logo.png", tmp_path / "favicon.ico", tmp_path / "brand.css"
    logo.write_bytes(picture("PNG", (300, 60)))
    favicon.write_bytes(ico())
    css.write_text("footer.site { font-size: 1rem; }\n")
    result = migrated(
        "site", "set", "--name", "Acme Gardens", "--description", "For *gardeners*.", "--accent", "#8a2be2",
        "--accent-dark", "#c9a0ff", "--logo", str(logo), "--favicon", str(favicon), "--stylesheet", str(css),
        "--footer-link", "Legal notice=https://acme.example/legal", "--footer-link", "Acme=https://acme.example/",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert one_line(result) == (
        "Changed the name, description, accent colour, dark-mode accent colour, footer links, stylesheet, "
        "logo, favicon; pages show it within a few seconds."
    )
    shown = json.loads(migrated("site", "show", "--json").output)
    base = "http://groups.example"
    assert shown["name"] == "Acme Gardens" and shown["description"] == "For *gardeners*."
    assert (shown["accent"], shown["accent_dark"]) == ("#8a2be2", "#c9a0ff")
    assert shown["logo"].startswith(f"{base}/media/") and shown["favicon"].endswith(".png")
    assert shown["stylesheet"].startswith(f"{base}/site/style.css?v=") and shown["stylesheet_bytes"] == 33
    assert shown["footer_links"] == [
        {"label": "Legal notice", "url": "https://acme.example/legal"},
        {"label": "Acme", "url": "https://acme.example/"},
    ]
    text = migrated("site", "show").output
    assert "name: Acme Gardens" in text and "footer links: Legal notice <https://acme.example/legal>" in text

    result = migrated("site", "set", "--accent", "default", "--remove-logo", "--no-footer-links")
    assert result.exit_code == 0 and "accent colour, footer links, logo" in result.output
    shown = json.loads(migrated("site", "show", "--json").output)
    assert (shown["accent"], shown["logo"], shown["footer_links"]) == (None, None, [])
    assert migrated("site", "set", "--accent-dark", "#c9a0ff").output.startswith("The site already looks")


def test_site_set_refuses_what_the_staff_page_refuses(
    migrated: Run, env: dict[str, str], tmp_path: Path
) -> None:
    fake = tmp_path / "logo.png"
    fake.write_bytes(b"<svg onload=alert(1)>")
    for args, message in (
        (("--accent", "#777777"), "reaches only 4.48:1 against the page background (#ffffff)"),
        (("--footer-link", "Legal=http://acme.example/"), "must lead to an https:// address"),
        (("--footer-link", "no equals sign"), "a footer link is written LABEL=https://…"),
        (("--logo", str(fake)), "the logo is not a PNG, JPEG, GIF or WebP image"),
        (("--logo", str(fake), "--remove-logo"), "give --logo or --remove-logo, not both"),
        ((), "nothing to change"),
    ):
        result = migrated("site", "set", *args)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    assert not in_db(env, SiteLook.exists)
    assert json.loads(migrated("site", "show", "--json").output)["name"] == "fedicom"  # the setting's default


def test_community_edit_sets_and_resets_its_accent(migrated: Run, env: dict[str, str]) -> None:
    in_db(env, lambda: create_staff("root", PASSWORD, is_admin=True))
    assert migrated("community", "create", "news").exit_code == 0
    result = migrated("community", "edit", "news", "--accent", "#ffcc00")
    assert (
        result.exit_code == 1 and "#ffcc00 reaches only 1.51:1 against the page background" in result.output
    )
    result = migrated("community", "edit", "news", "--accent", "#2f6b2f")
    assert result.exit_code == 0 and "Changed accent of news" in result.output
    assert in_db(env, lambda: Group.get(name="news")).accent == "#2f6b2f"
    assert migrated("community", "edit", "news", "--accent", "default").exit_code == 0
    assert in_db(env, lambda: Group.get(name="news")).accent is None


async def test_the_admin_api_reads_and_changes_the_look_and_pages_follow(
    instance: Callable[..., Awaitable[Instance]],
) -> None:
    inst = await instance(instance_name="Plain Server")
    root = await create_staff("root", PASSWORD, is_admin=True)
    mia = await create_staff("mia", PASSWORD)
    news = await inst.community("news")
    await add_moderator(inst.groups, news, inst.site.staff_uri("mia"), by=inst.site.staff_uri("root"))
    admin_token = (await create_token(root, "t", ["admin"]))[1]
    mia_token = (await create_token(mia, "t", ["moderate"]))[1]

    async with httpx.AsyncClient(base_url=f"{inst.base}/api/v1/admin") as api:

        async def call(method: str, secret: str, **kw: object) -> httpx.Response:
            return await api.request(method, "/site", headers={"Authorization": f"Bearer {secret}"}, **kw)  # type: ignore[arg-type]

        shown = (await call("GET", mia_token)).json()
        assert shown["name"] == "Plain Server" and shown["accent"] is None and shown["footer_links"] == []
        assert (await call("PATCH", mia_token, json={"name": "Mine"})).status_code == 403
        for body, status, error in (
            ({"accent": "#777777"}, 400, "reaches only 4.48:1 against the page background"),
            ({"accent": "red"}, 422, "body accent: String should match pattern"),
            (
                {"footer_links": [{"label": "Legal", "url": "http://acme.example/"}]},
                422,
                "body footer_links.0.url",
            ),
            ({"name": None}, 422, "name cannot be null"),
            ({"colour": "#000000"}, 422, "body colour: Extra inputs are not permitted"),
            ({"stylesheet": "   "}, 400, "the stylesheet is empty: remove it instead"),
        ):
            resp = await call("PATCH", admin_token, json=body)
            assert resp.status_code == status and error in resp.json()["error"], (body, resp.text)
        assert not await SiteLook.exists()

        resp = await call(
            "PATCH",
            admin_token,
            json={
                "name": "Acme Gardens",
                "accent": "#8A2BE2",
                "footer_links": [{"label": "Legal notice", "url": "https://acme.example/legal"}],
                "stylesheet": "main { max-width: 60rem; }",
            },
        )
        assert resp.status_code == 200, resp.text
        shown = resp.json()
        assert (shown["name"], shown["accent"], shown["accent_dark"]) == ("Acme Gardens", "#8a2be2", None)
        assert (
            shown["stylesheet"].startswith(f"{inst.base}/site/style.css?v=")
            and shown["stylesheet_bytes"] == 26
        )
        assert (await call("GET", admin_token)).json() == shown

    # Another process's change (here: the API's, without the page cache) shows within a few seconds
    async with httpx.AsyncClient(base_url=inst.base, headers={"Accept": "text/html"}) as http:
        for _ in range(int(REFRESH_SECONDS * 10) + 20):
            page = (await http.get("/")).text
            if "Acme Gardens" in page:
                break
            await asyncio.sleep(0.1)
        assert "<span>Acme Gardens</span>" in page and "https://acme.example/legal" in page
        assert "/site/style.css?v=" in page and "Plain Server" not in visible_text(page)
