"""Every page is valid HTML (the Nu HTML checker finds no error) and axe-core finds no serious or
critical accessibility violation in it, as Chromium renders it."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser

from fedicom.groups.models import Group, Post
from fedicom.moderation.blocks import block_domain
from fedicom.moderation.threads import pin_post
from fedicom.staff.accounts import create_staff
from tests.support.peer import Peer
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import client
from tests.web.scene import PASSWORD, attack, discussion


async def test_every_page_is_valid_html_and_accessible(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance(
        instance_description="Local groups for *everyone*.",
        instance_rules="1. No harassment.\n2. No spam.",
        contact="admin@community.example",
    )
    scene = await discussion(inst, peer)
    await attack(scene)
    await create_staff("root", PASSWORD, is_admin=True)
    await block_domain(
        inst.groups,
        inst.defed,
        "spam.example",
        public_comment="Spam",
        moderator=inst.site.staff_uri("root"),
    )
    await pin_post(inst.groups, await scene.post("old"), scene.moderator, pinned=True)
    await inst.community("club", title="Book Club", summary="A private reading group. #books", private=True)
    await Group.filter(name="news").update(
        image_url="https://images.example/banner.png", icon_url="https://images.example/icon.png"
    )
    inst.groups.forget_group("news")
    fresh, level6, xss = [await scene.post(n) for n in ("fresh", "level6", "xss")]
    thread_ids = [fresh.id, level6.id, xss.id, (await Post.get(object_id=scene.posts["disputed"]["id"])).id]
    pages = [
        "/",
        "/?q=news&topic=fediverse&language=en",
        "/?q=nothing+at+all",
        "/c/news",
        "/c/news?sort=new",
        "/c/news?sort=top&page=2",
        "/c/club",
        *[f"/c/news/p/{i}" for i in thread_ids],
        "/c/news/follow",
        "/about",
        "/about/blocked",
        "/modlog",
        "/c/news/modlog",
        "/c/nothing",
        "/c/news?sort=best",
    ]
    documents: dict[str, str] = {}
    async with client(inst.base) as http:
        for path in pages:
            documents[path] = (await http.get(path)).text
        token = (await http.get("/c/news/follow")).text.split('name="csrf_token" value="')[1].split('"')[0]
        for handle in ("alice", f"@me@{peer.base.removeprefix('http://')}"):
            peer.person("me")
            resp = await http.post("/c/news/follow", data={"handle": handle, "csrf_token": token})
            documents[f"POST /c/news/follow {handle}"] = resp.text

    assert_valid_html(documents, tmp_path)

    context = await browser.new_context()
    page = await context.new_page()
    problems = {}
    for path in pages:
        await page.goto(inst.base + path)
        await check_axe(page, problems, path)
    for handle in ("alice", f"@me@{peer.base.removeprefix('http://')}"):
        await page.goto(inst.base + "/c/news/follow")
        await page.get_by_label("Your fediverse handle").fill(handle)
        await page.get_by_role("button", name="Follow from your server").click()
        await page.wait_for_load_state()
        await check_axe(page, problems, f"follow result for {handle}")
    await page.goto(inst.base + "/about")
    await screenshot(page, "about")
    await page.emulate_media(color_scheme="dark")
    await page.goto(inst.base + "/c/news")
    await screenshot(page, "community-dark")
    await check_axe(page, problems, "/c/news in dark mode")
    assert problems == {}, "\n".join(f"{p}: {v}" for p, v in problems.items())
