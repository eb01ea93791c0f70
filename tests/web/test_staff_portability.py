"""Moving a community in the staff pages, over real HTTP and in Chromium: an admin exports a community
from its settings (with its key, sealed) and imports the archive under another name; moderators see
neither; a wrong passphrase or file is refused with its reason; valid, accessible, light and dark."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from playwright.async_api import Browser

from fedicom.activitypub.models import SigningKey
from fedicom.groups.models import Group
from fedicom.staff.accounts import create_staff
from tests.support.peer import Peer
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import get
from tests.web.scene import PASSWORD, community
from tests.web.signin import browser_sign_in, form_token, staff_client
from tests.web.test_staff_communities import NEWS, notices

EXPORT = f"{NEWS}/export"
IMPORT = "/staff/communities/import"
PHRASE = "a long passphrase"


async def test_an_admin_exports_a_community_with_its_key_and_imports_it_under_another_name(
    instance, peer: Peer
) -> None:
    inst = await instance()
    await community(inst, peer, members=("alice",))
    await create_staff("root", PASSWORD, is_admin=True)
    async with staff_client(inst.base, "root") as http:
        token = await form_token(http, NEWS)
        differ = await http.post(
            EXPORT,
            data={"csrf_token": token, "with_keys": "on", "passphrase": PHRASE, "passphrase_again": "x"},
        )
        assert differ.status_code == 400
        assert ("error-box", "The two passphrases differ.") in notices(differ.text)

        answer = await http.post(
            EXPORT,
            data={"csrf_token": token, "with_keys": "on", "passphrase": PHRASE, "passphrase_again": PHRASE},
        )
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
        assert "attachment" in answer.headers["content-disposition"]
        with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
            assert {"manifest.json", "community.json", "members.ndjson", "key.json"} <= set(
                archive.namelist()
            )

        token = await form_token(http, IMPORT)
        wrong = await http.post(
            IMPORT,
            data={"csrf_token": token, "name": "news2", "passphrase": "not it"},
            files={"archive": ("news.zip", answer.content, "application/zip")},
        )
        assert wrong.status_code == 400
        assert notices(wrong.text) == [
            ("error-box", "The passphrase does not open the community's key in this archive.")
        ]
        done = await http.post(
            IMPORT,
            data={"csrf_token": token, "name": "news2", "passphrase": PHRASE},
            files={"archive": ("news.zip", answer.content, "application/zip")},
        )
        assert done.status_code == 303 and done.headers["location"] == "/staff/c/news2"
        page = await get(http, "/staff/c/news2")
        source = inst.site.uri("news")
        assert notices(page.text) == [
            ("done-box", f"Imported {source} as news2: every row recreated and counted.")
        ]
    copy = await Group.get(name="news2")
    assert copy.title == "Daily News" and copy.origin_uri == source
    keys = {k.owner: k.private_pem for k in await SigningKey.all()}
    assert keys[inst.site.uri("news2")] == keys[source]


async def test_moderators_can_neither_export_nor_import_and_the_csrf_token_is_required(
    instance, peer: Peer
) -> None:
    inst = await instance()
    await community(inst, peer, members=())
    async with staff_client(inst.base, "mia") as http:
        page = await get(http, NEWS)
        assert "export-heading" not in page.text
        token = page.csrf_token()
        assert (await http.post(EXPORT, data={"csrf_token": token})).status_code == 403
        assert (await http.get(IMPORT)).status_code == 403
    await create_staff("root", PASSWORD, is_admin=True)
    async with staff_client(inst.base, "root") as http:
        assert (await http.post(EXPORT, data={})).status_code == 403  # no CSRF token
        token = await form_token(http, IMPORT)
        garbage = await http.post(
            IMPORT, data={"csrf_token": token}, files={"archive": ("x.zip", b"not a zip", "application/zip")}
        )
        assert garbage.status_code == 400
        assert notices(garbage.text) == [("error-box", "The file is not a zip archive (or is damaged).")]
    assert await Group.all().count() == 1


async def test_the_export_box_and_import_page_are_valid_html_and_accessible_in_light_and_dark(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    await community(inst, peer, members=())
    await create_staff("root", PASSWORD, is_admin=True)
    async with staff_client(inst.base, "root") as http:
        token = await form_token(http, NEWS)
        documents = {
            "settings": (await get(http, NEWS)).text,
            "export refused": (
                await http.post(EXPORT, data={"csrf_token": token, "with_keys": "on", "passphrase": "short"})
            ).text,
            "import": (await get(http, IMPORT)).text,
            "import refused": (
                await http.post(
                    IMPORT, data={"csrf_token": token}, files={"archive": ("x.zip", b"x", "application/zip")}
                )
            ).text,
        }
    assert_valid_html(documents, tmp_path)

    page = await browser_sign_in(browser, inst.base, "root")
    problems: dict[str, str] = {}
    await page.goto(inst.base + NEWS + "#export-heading")
    box = page.locator("section", has=page.locator("#export-heading"))
    await page.emulate_media(color_scheme="light")
    await check_axe(page, problems, "export light")
    await screenshot(page, "staff-export-light", box)
    await page.emulate_media(color_scheme="dark")
    await check_axe(page, problems, "export dark")
    await screenshot(page, "staff-export-dark", box)
    await page.goto(inst.base + IMPORT)
    await page.emulate_media(color_scheme="light")
    await check_axe(page, problems, "import light")
    await screenshot(page, "staff-import-light")
    await page.emulate_media(color_scheme="dark")
    await check_axe(page, problems, "import dark")
    await screenshot(page, "staff-import-dark")
    assert problems == {}, "\n".join(f"{p}: {v}" for p, v in problems.items())
