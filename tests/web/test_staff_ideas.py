"""The similar ideas on a thread's staff page: the likely duplicates found when it arrived, best first
with their scores, each linked to its own staff page; valid HTML, accessible in light and dark mode;
the community's settings switch the Group's replies to similar ideas."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser

from fedicom.groups.models import Group, Post
from fedicom.ideas.models import IdeaChange
from tests.support.peer import Peer
from tests.support.steps import until
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import get
from tests.web.scene import community, thread
from tests.web.signin import browser_sign_in, form_token, staff_client

IDEAS = (
    ("Dark mode for the website", "<p>A dark mode for reading the website at night.</p>"),
    ("Dark theme for the website", "<p>A dark theme for reading the website at night.</p>"),
    ("Please add a dark mode to the website", "<p>Reading the website at night needs a dark mode.</p>"),
    ("Weekly digest by email", "<p>One email a week with the most voted ideas.</p>"),
)


async def ideas(inst: object, peer: Peer) -> Post:
    """news with four ideas by its members, the last dark mode one matched to the two before it."""
    scene = await community(inst, peer)  # type: ignore[arg-type]
    await Group.filter(name="news").update(kind="ideas")
    inst.groups.forget_group("news")  # type: ignore[attr-defined]
    posted = []
    for (title, body), who in zip(IDEAS, ("alice", "bob", "carol", "dave"), strict=True):
        note, _ = await thread(peer, scene.people[who], scene.group, body, name=title)
        posted.append(note["id"])

    async def matched() -> bool:
        return not await IdeaChange.filter(pending=True).exists()

    await until(matched)
    return await Post.get(object_id=posted[2])


async def test_the_post_page_shows_its_similar_ideas_valid_and_accessible(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    post = await ideas(inst, peer)
    path = f"/staff/c/news/p/{post.id}"
    async with staff_client(inst.base, "mia") as http:
        shown = await get(http, path)
        others = await get(http, f"/staff/c/news/p/{post.id + 1}")  # the digest: nothing like it
    assert shown.status == 200 and "Similar ideas" in shown.text and "Similar ideas" not in others.text
    section = shown.text.split('id="similar-heading"')[1].split("</section>")[0]
    assert section.index("Dark mode for the website") >= 0 and "Dark theme for the website" in section
    assert "Weekly digest" not in section and 'class="badge">0.' in section
    assert_valid_html({path: shown.text}, tmp_path)

    page = await browser_sign_in(browser, inst.base, "mia")
    await page.goto(inst.base + path)
    problems: dict[str, str] = {}
    await check_axe(page, problems, path)
    part = page.locator("section", has=page.locator("#similar-heading"))
    await screenshot(page, "staff-similar-ideas", part)
    await page.emulate_media(color_scheme="dark")
    await check_axe(page, problems, path + " (dark)")
    assert problems == {}


async def test_the_settings_switch_replies_to_similar_ideas(instance, peer: Peer) -> None:
    inst = await instance()
    await community(inst, peer, members=())
    async with staff_client(inst.base, "mia") as http:
        settings = await get(http, "/staff/c/news")
        assert (
            'id="reply_similar"' in settings.text
            and "checked" not in settings.text.split('id="reply_similar"')[1][:40]
        )
        group = await Group.get(name="news")
        form = {
            "csrf_token": await form_token(http, "/staff/c/news"),
            "title": group.title,
            "summary": group.summary,
            "rules": group.rules,
            "privacy_policy": group.privacy_policy,
            "posting_policy": group.posting_policy,
            "premoderation": group.premoderation,
            "timezone": group.timezone,
            "notify_refusals": "on",
            "reply_similar": "on",
        }
        saved = await http.post("/staff/c/news", data=form)
        assert saved.status_code == 303, saved.text
    assert (await Group.get(name="news")).reply_similar is True
