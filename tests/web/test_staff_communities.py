"""The staff pages of communities over real HTTP: the list, creating one (admins only), editing its
settings (only what changed, federated to members as Update{Group}), and its icon and banner: judged by
their bytes, re-encoded without metadata, served with safe headers and federated too; plus the browser
flow from creating a community to seeing its icon on the public page, and the pages' validity."""

from __future__ import annotations

import asyncio
import html
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from PIL import Image
from playwright.async_api import Browser

from fedicom.activitypub.models import OutgoingActivity
from fedicom.groups.images import MAX_BYTES
from fedicom.groups.models import Group, Moderator
from fedicom.moderation.models import ModlogEntry
from fedicom.staff.accounts import create_staff
from tests.support.peer import Peer
from tests.support.pictures import CAMERA, SVG, picture, with_gps
from tests.support.servers import Instance
from tests.support.steps import announced
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import client, get
from tests.web.scene import PASSWORD, PRIVACY, RULES, SUMMARY, community
from tests.web.signin import admin, browser_sign_in, form_token, staff_client

NOTICE = re.compile(r'<p class="(done-box|error-box)"[^>]*role="(?:status|alert)">(.*?)</p>', re.S)
NEW = "/staff/communities/new"
NEWS = "/staff/c/news"


def notices(text: str) -> list[tuple[str, str]]:
    return [(kind, html.unescape(found)) for kind, found in NOTICE.findall(text)]


def as_sent(**changes: Any) -> dict[str, str]:
    """The settings form of `news` as a browser sends it unchanged (CRLF line ends), with `changes`."""
    fields: dict[str, Any] = {
        "title": "Daily News",
        "summary": SUMMARY,
        "rules": RULES,
        "privacy_policy": PRIVACY,
        "posting_policy": "members",
        "premoderation": "off",
        "max_links": "",
        "notify_refusals": "on",
        "leaderboard": "on",
        **changes,
    }
    return {k: v.replace("\n", "\r\n") for k, v in fields.items() if v is not None}


async def post_form(http: httpx.AsyncClient, path: str, **fields: str) -> httpx.Response:
    token = await form_token(http, path)
    return await http.post(path, data={"csrf_token": token, **fields})


async def upload(
    http: httpx.AsyncClient, files: dict[str, tuple[str, bytes, str]], **fields: str
) -> httpx.Response:
    token = await form_token(http, NEWS)
    return await http.post(f"{NEWS}/images", data={"csrf_token": token, **fields}, files=files)


async def other_moderator(inst: Instance) -> None:
    """olga moderates club, not news."""
    club = await inst.community("club", title="Book Club")
    await create_staff("olga", PASSWORD)
    await Moderator.create(group=club, actor=inst.site.staff_uri("olga"))


def media_files(inst: Instance) -> list[Path]:
    folder = inst.settings.data_dir / "media"
    return sorted(folder.iterdir()) if folder.is_dir() else []


async def test_staff_see_the_communities_they_moderate_and_admins_see_every_one(instance, peer: Peer) -> None:
    inst = await instance()
    await community(inst, peer, members=())
    await other_moderator(inst)
    await admin("ada")
    async with staff_client(inst.base, "mia") as http:
        page = await get(http, "/staff/communities")
        assert page.status == 200 and page.headers["cache-control"] == "private, no-store"
        assert 'href="/staff/c/news"' in page.text and "@news@" in page.text
        assert "/staff/c/club" not in page.text and NEW not in page.text
    async with staff_client(inst.base, "ada") as http:
        page = await get(http, "/staff/communities")
        assert 'href="/staff/c/news"' in page.text and 'href="/staff/c/club"' in page.text
        assert f'<a href="{NEW}">Create a community</a>' in page.text
    async with client(inst.base) as http:
        resp = await http.get("/staff/communities")
        assert resp.status_code == 303 and resp.headers["location"].startswith("/staff/sign-in")


async def test_an_admin_creates_a_community_and_owns_it(instance) -> None:
    inst = await instance()
    await admin("ada")
    async with staff_client(inst.base, "ada") as http:
        form = await get(http, NEW)
        assert form.status == 200 and 'name="name"' in form.text
        resp = await post_form(
            http,
            NEW,
            name="books",
            title="  Book   Club ",
            summary="Reading together.\r\n\r\n#books",
            rules="1. No spoilers.",
            privacy_policy="",
            private="on",
            posting_policy="moderators",
            premoderation="new_members",
            max_links="2",
        )
        assert resp.status_code == 303 and resp.headers["location"] == "/staff/c/books"
        page = await get(http, "/staff/c/books")
        assert notices(page.text) == [
            ("done-box", f"Created Book Club: the fediverse can now follow @books@{inst.site.domain}.")
        ]
    group = await Group.get(name="books")
    assert (group.title, group.summary, group.rules, group.private) == (
        "Book Club",
        "Reading together.\n\n#books",
        "1. No spoilers.",
        True,
    )
    assert (group.posting_policy, group.premoderation, group.max_links) == ("moderators", "new_members", 2)
    owner = await Moderator.get(group=group)
    assert (owner.actor, owner.role) == (inst.site.staff_uri("ada"), "owner")
    assert await ModlogEntry.filter(action="create_community", target="books").count() == 1


async def test_only_admins_create_communities(instance, peer: Peer) -> None:
    inst = await instance()
    await community(inst, peer, members=())
    async with staff_client(inst.base, "mia") as http:
        assert (await http.get(NEW)).status_code == 403
        token = await form_token(http, NEWS)
        resp = await http.post(NEW, data={"csrf_token": token, "name": "mine", "posting_policy": "open"})
        assert resp.status_code == 403 and "Mia is not an instance admin." in resp.text
    assert not await Group.exists(name="mine")


async def test_a_taken_name_is_refused_and_the_typed_values_are_kept(instance, peer: Peer) -> None:
    inst = await instance()
    await community(inst, peer, members=())
    await admin("ada")
    async with staff_client(inst.base, "ada") as http:
        resp = await post_form(
            http,
            NEW,
            name="news",
            title="Other News",
            summary="My <b>own</b> summary",
            rules="",
            privacy_policy="",
            private="on",
            posting_policy="open",
            premoderation="all",
            max_links="7",
        )
    assert resp.status_code == 400
    assert notices(resp.text) == [("error-box", "A community named news already exists.")]
    assert 'value="Other News"' in resp.text and "My &lt;b&gt;own&lt;/b&gt; summary</textarea>" in resp.text
    assert re.search(r'name="private" checked', resp.text)
    assert re.search(r'value="open" checked', resp.text) and re.search(r'value="all" checked', resp.text)
    assert 'value="7"' in resp.text and 'value="news"' in resp.text
    assert (await Group.get(name="news")).title == "Daily News"


async def test_an_edit_reaches_members_as_the_moderators_update_of_the_group(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await community(inst, peer, members=("alice",))
    async with staff_client(inst.base, "mia") as http:
        page = await get(http, NEWS)
        assert page.status == 200 and 'aria-current="page">Settings</a>' in page.text
        assert f"{SUMMARY}</textarea>" in page.text and 'value="Daily News"' in page.text
        resp = await post_form(http, NEWS, **as_sent(summary="Only good news.", sensitive="on"))
        assert resp.status_code == 303 and resp.headers["location"] == NEWS
        shown = notices((await get(http, NEWS)).text)
    assert shown == [
        ("done-box", "Saved the summary, sensitive mark; members' servers receive the new profile.")
    ]
    [wrapped] = await peer.wait_for(lambda: announced(peer, "Update", scene.group))
    update = wrapped["object"]
    assert (update["actor"], update["object"]["id"]) == (scene.moderator, scene.group)
    assert update["object"]["source"]["content"].startswith("Only good news.")
    assert update["object"]["sensitive"] is True
    entry = await ModlogEntry.get(action="edit_community")
    assert entry.details == {"summary": "Only good news.", "sensitive": True}  # only what changed


async def test_sending_the_form_unchanged_changes_and_sends_nothing(instance, peer: Peer) -> None:
    inst = await instance()
    await community(inst, peer, members=("alice",))
    before = await OutgoingActivity.all().count()
    async with staff_client(inst.base, "mia") as http:
        resp = await post_form(http, NEWS, **as_sent())
        assert resp.status_code == 303
        assert notices((await get(http, NEWS)).text) == [("done-box", "Nothing changed.")]
        resp = await post_form(http, NEWS, **as_sent(premoderation="all", max_links="3"))
        assert notices((await get(http, NEWS)).text) == [("done-box", "Saved the pre-moderation, link cap.")]
    assert await OutgoingActivity.all().count() == before  # settings only fedicom reads stay local
    group = await Group.get(name="news")
    assert (group.premoderation, group.max_links) == ("all", 3)


async def test_a_refused_edit_keeps_what_was_typed(instance, peer: Peer) -> None:
    inst = await instance()
    await community(inst, peer, members=())
    typed = "Kept while I fix the rest"
    async with staff_client(inst.base, "mia") as http:
        for changes, reason in (
            ({"title": "   "}, "A title is 1 to 200 characters."),
            ({"max_links": "lots"}, "The link cap is a whole number of links from 0 to 1000, or empty."),
            ({"max_links": "5000"}, "The link cap is a whole number of links from 0 to 1000"),
            ({"posting_policy": "everyone"}, "The posting policy is one of open, members, moderators."),
            ({"rules": "1. No\x00NUL"}, "The rules cannot contain a NUL character."),
        ):
            resp = await post_form(http, NEWS, **as_sent(summary=typed, **changes))
            assert resp.status_code == 400
            [(kind, text)] = notices(resp.text)
            assert kind == "error-box" and text.startswith(reason), text
            assert f"{typed}</textarea>" in resp.text
    assert (await Group.get(name="news")).summary == SUMMARY


async def test_a_moderator_of_another_community_cannot_see_or_change_it(instance, peer: Peer) -> None:
    inst = await instance()
    await community(inst, peer, members=())
    await other_moderator(inst)
    async with staff_client(inst.base, "olga") as http:
        assert (await http.get(NEWS)).status_code == 403
        token = await form_token(http, "/staff/c/club")
        resp = await http.post(NEWS, data={"csrf_token": token, **as_sent(title="Olga's now")})
        assert resp.status_code == 403 and "Olga does not moderate news." in resp.text
        resp = await http.post(
            f"{NEWS}/images", data={"csrf_token": token}, files={"icon": ("i.png", picture(), "image/png")}
        )
        assert resp.status_code == 403
    group = await Group.get(name="news")
    assert (group.title, group.icon_url) == ("Daily News", None)
    assert media_files(inst) == []


async def test_forms_without_the_csrf_token_are_refused(instance, peer: Peer) -> None:
    inst = await instance()
    await community(inst, peer, members=())
    await admin("ada")
    async with staff_client(inst.base, "ada") as http:
        await get(http, NEWS)
        assert (await http.post(NEWS, data=as_sent(title="Forged"))).status_code == 403
        assert (await http.post(NEW, data={"name": "forged", "posting_policy": "open"})).status_code == 403
        resp = await http.post(f"{NEWS}/images", files={"icon": ("i.png", picture(), "image/png")})
        assert resp.status_code == 403
    group = await Group.get(name="news")
    assert (group.title, group.icon_url) == ("Daily News", None)
    assert not await Group.exists(name="forged")


async def test_an_icon_is_stored_without_its_gps_position_served_safely_and_federated(
    instance, peer: Peer
) -> None:
    inst = await instance()
    scene = await community(inst, peer, members=("alice",))
    async with staff_client(inst.base, "mia") as http:
        resp = await upload(
            http,
            {
                "icon": ("holiday.png", with_gps("PNG"), "image/png"),
                "banner": ("", b"", "application/octet-stream"),
            },
        )
        assert resp.status_code == 303 and resp.headers["location"] == NEWS
        page = await get(http, NEWS)
        assert notices(page.text) == [
            ("done-box", "Saved the icon; members' servers receive the new profile.")
        ]
    group = await Group.get(name="news")
    assert group.icon_url is not None and group.image_url is None
    assert re.fullmatch(rf"{re.escape(inst.base)}/media/[0-9a-f]{{64}}\.png", group.icon_url)
    [stored] = media_files(inst)
    assert stored.name == group.icon_url.rsplit("/", 1)[1]
    assert CAMERA.encode() not in stored.read_bytes() and len(Image.open(stored).getexif()) == 0
    assert f'src="{group.icon_url}"' in page.text

    async with client(inst.base) as http:
        served = await http.get(urlsplit(group.icon_url).path)
        public = await get(http, "/c/news")
    assert served.status_code == 200 and served.content == stored.read_bytes()
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert f'<img class="icon" src="{group.icon_url}"' in public.text

    [wrapped] = await peer.wait_for(lambda: announced(peer, "Update", scene.group))
    assert wrapped["object"]["object"]["icon"] == {"type": "Image", "url": group.icon_url}
    assert "image" not in wrapped["object"]["object"]
    assert (await peer.get(scene.group))["icon"]["url"] == group.icon_url  # the actor says the same


async def test_a_banner_replaces_and_removing_the_icon_federates_too(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await community(inst, peer, members=("alice",))
    async with staff_client(inst.base, "mia") as http:
        await upload(http, {"icon": ("i.jpg", picture("JPEG"), "image/jpeg")})
        await peer.wait_for(lambda: announced(peer, "Update", scene.group))
        resp = await upload(
            http, {"banner": ("b.webp", picture("WEBP", (3000, 600)), "image/webp")}, remove_icon="on"
        )
        assert resp.status_code == 303
        assert notices((await get(http, NEWS)).text) == [
            ("done-box", "Saved the icon, banner; members' servers receive the new profile.")
        ]
    group = await Group.get(name="news")
    assert group.icon_url is None and group.image_url is not None and group.image_url.endswith(".webp")
    updates = await peer.wait_for(
        lambda: [u for u in announced(peer, "Update", scene.group) if "image" in u["object"]["object"]]
    )
    doc = updates[0]["object"]["object"]
    assert doc["image"]["url"] == group.image_url and "icon" not in doc
    banner = Image.open(inst.settings.data_dir / "media" / group.image_url.rsplit("/", 1)[1])
    assert banner.size == (1920, 384)


async def test_files_that_are_not_images_are_refused_by_their_bytes(instance, peer: Peer) -> None:
    inst = await instance()
    await community(inst, peer, members=())
    async with staff_client(inst.base, "mia") as http:
        for files, reason in (
            ({"icon": ("icon.png", b"just text in a file named icon.png", "image/png")}, "The icon is not"),
            ({"banner": ("banner.svg", SVG, "image/svg+xml")}, "The banner is not"),
            ({"icon": ("icon.png", SVG, "image/png")}, "The icon is not"),
        ):
            resp = await upload(http, files)
            assert resp.status_code == 415
            [(kind, text)] = notices(resp.text)
            assert (kind, text) == ("error-box", f"{reason} a PNG, JPEG, GIF or WebP image.")
            assert 'aria-describedby="images-error"' in resp.text
        resp = await upload(http, {"icon": ("i.png", picture(), "image/png")}, remove_icon="on")
        assert resp.status_code == 400 and "Choose a new icon or remove it, not both." in resp.text
        resp = await upload(http, {})
        assert resp.status_code == 400 and "Choose an icon or a banner to upload" in resp.text
    group = await Group.get(name="news")
    assert (group.icon_url, group.image_url) == (None, None)
    assert media_files(inst) == []


async def test_an_image_over_2_mib_is_refused(instance, peer: Peer) -> None:
    inst = await instance()
    await community(inst, peer, members=())
    async with staff_client(inst.base, "mia") as http:
        big = picture("PNG") + b"\0" * MAX_BYTES
        resp = await upload(http, {"banner": ("big.png", big, "image/png")})
    assert resp.status_code == 413
    assert notices(resp.text) == [("error-box", "The banner is larger than 2 MiB.")]
    assert media_files(inst) == []


async def test_an_oversized_upload_is_refused_before_its_body_is_read(instance, peer: Peer) -> None:
    """The server answers 413 from the headers alone: the 50 MB body is never sent."""
    inst = await instance()
    await community(inst, peer, members=())
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, NEWS)
        cookies = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
    host, port = urlsplit(inst.base).hostname, urlsplit(inst.base).port
    reader, writer = await asyncio.open_connection(host, port)
    head = (
        f"POST {NEWS}/images HTTP/1.1\r\nHost: {urlsplit(inst.base).netloc}\r\n"
        f"Cookie: {cookies}\r\nAccept: text/html\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 50000000\r\n\r\n"
        f'--x\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
    )
    writer.write(head.encode())
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), timeout=5)
    answer = await asyncio.wait_for(reader.read(100_000), timeout=5)
    writer.close()
    assert status.startswith(b"HTTP/1.1 413"), status
    assert b"The upload is larger than 4 MiB: the icon and the banner are at most 2 MiB each." in answer
    assert (await Group.get(name="news")).icon_url is None


async def test_media_urls_name_only_stored_files(instance) -> None:
    inst = await instance()
    async with client(inst.base) as http:
        for path in ("/media/" + "0" * 64 + ".png", "/media/secret_key", "/media/..%2Fsecret_key"):
            assert (await http.get(path)).status_code == 404, path


async def test_from_creating_a_community_to_its_icon_on_the_public_page(instance, browser: Browser) -> None:
    inst = await instance()
    await admin("ada")
    await inst.community("news", title="Daily News")
    await inst.community("club", title="Book Club", private=True, posting_policy="moderators")
    page = await browser_sign_in(browser, inst.base, "ada")
    await page.get_by_role("navigation", name="Staff").get_by_role("link", name="Communities").click()
    await page.wait_for_url(inst.base + "/staff/communities")
    await screenshot(page, "staff-communities-list")
    await page.get_by_role("link", name="Create a community").first.click()
    await page.get_by_label("Name", exact=True).fill("gardens")
    await page.get_by_label("Title").fill("Community Gardens")
    await page.get_by_label("Summary").fill("Growing food together. #gardening")
    await page.get_by_label("Private: moderators approve each new member").check()
    await screenshot(page, "staff-community-new")
    await page.get_by_role("button", name="Create the community").click()
    await page.wait_for_url(inst.base + "/staff/c/gardens")
    await page.get_by_role("status").filter(has_text="Created Community Gardens").wait_for()

    await page.get_by_label("Summary").fill("Growing food and flowers together. #gardening")
    await page.get_by_role("button", name="Save the settings").click()
    await page.get_by_role("status").filter(has_text="Saved the summary").wait_for()
    await page.get_by_label("Icon", exact=True).set_input_files(
        files=[{"name": "carrot.png", "mimeType": "image/png", "buffer": with_gps("PNG", (300, 300))}]
    )
    await page.get_by_role("button", name="Save the icon and banner").click()
    await page.get_by_role("status").filter(has_text="Saved the icon").wait_for()
    await page.get_by_role("img", name="The current icon").wait_for()
    await screenshot(page, "staff-community-settings")

    group = await Group.get(name="gardens")
    assert group.summary == "Growing food and flowers together. #gardening" and group.private
    await page.goto(inst.base + "/c/gardens")
    icon = page.locator("header.community img.icon")
    assert await icon.get_attribute("src") == group.icon_url
    assert await icon.evaluate("img => img.complete && img.naturalWidth") == 300
    assert "Growing food and flowers together." in await page.locator("main").inner_text()


async def test_the_pages_are_valid_html_and_accessible(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    await community(inst, peer, members=())
    await admin("ada")
    pages = ["/staff/communities", NEW, NEWS]
    documents: dict[str, str] = {}
    async with staff_client(inst.base, "ada") as http:
        for path in pages:
            documents[path] = (await get(http, path)).text
        documents["refused create"] = (await post_form(http, NEW, name="news", posting_policy="open")).text
        documents["refused edit"] = (await post_form(http, NEWS, **as_sent(title=""))).text
        documents["refused upload"] = (await upload(http, {"icon": ("x.png", SVG, "image/png")})).text
        await upload(
            http,
            {
                "icon": ("i.png", picture(), "image/png"),
                "banner": ("b.png", picture(size=(800, 200)), "image/png"),
            },
        )
        documents["with icon and banner"] = (await get(http, NEWS)).text
    async with staff_client(inst.base, "mia") as http:
        documents["moderator's list"] = (await get(http, "/staff/communities")).text
    assert_valid_html(documents, tmp_path)

    page = await browser_sign_in(browser, inst.base, "ada")
    problems = {}
    for path in pages:
        await page.goto(inst.base + path)
        await check_axe(page, problems, path)
    await page.locator("#icon").set_input_files(
        files=[{"name": "x.png", "mimeType": "image/png", "buffer": SVG}]
    )
    await page.get_by_role("button", name="Save the icon and banner").click()
    await page.get_by_role("alert").wait_for()
    await check_axe(page, problems, "refused upload")
    assert problems == {}, "\n".join(f"{p}: {v}" for p, v in problems.items())
