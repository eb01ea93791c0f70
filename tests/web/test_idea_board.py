"""The idea board's pages over real HTTP, with ideas and votes from a real signed peer on loopback: each
idea shows its status in words, the board sorts by votes, trending or newest and filters by status, an
idea's page shows its note and history and where a duplicate was merged, the roadmap has its three
columns (never for a private board's visitors); valid HTML and accessible in light and dark mode."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser

from fedicom.groups.models import Group
from fedicom.ideas.lifecycle import IdeaStatus
from fedicom.ideas.merging import merge
from fedicom.ideas.status import set_status
from fedicom.publishing.compose import Author
from tests.support.peer import Peer
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import client, get
from tests.web.scene import Scene, ago, community, thread, vote

IDEAS = {  # name: (title, votes, age)
    "dark": ("Dark mode", ("alice", "bob", "carol"), {"days": 3}),
    "api": ("A public API", ("alice", "bob"), {"days": 2}),
    "export": ("Export to CSV", ("dave",), {"hours": 5}),
    "themes": ("Custom themes", (), {"hours": 2}),
    "night": ("Night theme", ("dave",), {"minutes": 30}),
}


async def idea_board(inst, peer: Peer) -> Scene:  # type: ignore[no-untyped-def]
    """`news` as an idea board: five ideas with votes; dark planned, api started, export completed,
    themes open, night merged into dark."""
    scene = await community(inst, peer)
    await Group.filter(name="news").update(kind="ideas", title="Product ideas")
    inst.groups.forget_group("news")
    authors = ("alice", "bob", "carol", "dave", "alice")
    for (name, (title, voters, age)), who in zip(IDEAS.items(), authors, strict=True):
        body = f"<p>{title}, please.</p>"
        scene.posts[name], _ = await thread(peer, scene.people[who], scene.group, body, type="Page",
                                            name=title, published=ago(**age))  # fmt: skip
        for voter in voters:
            await vote(scene, voter, name)
    staff = Author(scene.moderator, inst.files)
    for name, status, note in (
        ("dark", IdeaStatus.UNDER_REVIEW, ""),
        ("dark", IdeaStatus.PLANNED, "For the March release."),
        ("api", IdeaStatus.STARTED, ""),
        ("export", IdeaStatus.COMPLETED, "Shipped in 2.4."),
    ):
        await set_status(inst.groups, staff, await scene.post(name), status, note)
    await merge(inst.groups, staff, await scene.post("night"), await scene.post("dark"))
    return scene


def order(html: str, *titles: str) -> list[str]:
    """The titles in the order the page lists them."""
    return sorted((t for t in titles if f">{t}<" in html), key=lambda t: html.index(f">{t}<"))


ALL = tuple(t for t, _, _ in IDEAS.values())


async def test_the_board_sorts_filters_and_shows_each_status_in_words(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await idea_board(inst, peer)
    async with client(inst.base) as http:
        top = await get(http, "/c/news")
        new = await get(http, "/c/news?sort=new")
        hot = await get(http, "/c/news?sort=hot")
        planned = await get(http, "/c/news?status=planned")
        open_ = await get(http, "/c/news?status=open&sort=new")
        empty = await get(http, "/c/news?status=declined")
        unknown = await get(http, "/c/news?status=shipped")
        await inst.community("talk")
        discussion = await get(http, "/c/talk?status=planned")
    # by votes (night's vote moved to dark: 4), newest first, and trending
    by_votes = ["Dark mode", "A public API", "Export to CSV", "Night theme", "Custom themes"]
    assert order(top.text, *ALL) == by_votes  # equal votes: the newest first
    assert order(new.text, *ALL) == [
        "Night theme",
        "Custom themes",
        "Export to CSV",
        "A public API",
        "Dark mode",
    ]
    assert hot.status == 200 and set(order(hot.text, *ALL)) == set(ALL)
    for label in ("Planned", "Started", "Completed", "Open", "Duplicate"):
        assert f"Status: {label}</span>" in top.text
    assert "1 merged here" in top.text and 'href="/c/news/roadmap"' in top.text
    # filtered by status, the filter kept by the sort links and marked as the current one
    assert order(planned.text, *ALL) == ["Dark mode"]
    assert 'href="/c/news?sort=new&amp;status=planned"' in planned.text
    assert 'href="/c/news?sort=top&amp;status=planned" aria-current="page">Planned' in planned.text
    assert order(open_.text, *ALL) == ["Custom themes"]
    assert "No ideas with this status." in empty.text
    assert unknown.status == 400 and "not shipped" in unknown.text
    assert discussion.status == 400 and "not an idea board" in discussion.text
    assert scene.group.endswith("/c/news")


async def test_an_ideas_page_shows_its_status_note_history_and_merges(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await idea_board(inst, peer)
    dark, night = await scene.post("dark"), await scene.post("night")
    async with client(inst.base) as http:
        original = await get(http, f"/c/news/p/{dark.id}")
        duplicate = await get(http, f"/c/news/p/{night.id}")
    text = original.text
    assert "Status: Planned</span>" in text and "For the March release." in text
    assert "Under review, by" in text and "Planned, by" in text and "1 idea merged here" in text
    assert "Status: Planned — For the March release." in text  # the staff reply, in the thread
    assert "Status: Duplicate</span>" in duplicate.text and "Locked: no new replies" in duplicate.text
    assert f'Merged into <a href="/c/news/p/{dark.id}">Dark mode</a>' in duplicate.text


async def test_the_roadmap_has_planned_started_and_completed_columns(instance, peer: Peer) -> None:
    inst = await instance()
    await idea_board(inst, peer)
    await inst.community("club", kind="ideas", private=True)
    await inst.community("talk")
    async with client(inst.base) as http:
        roadmap = await get(http, "/c/news/roadmap")
        private = await get(http, "/c/club/roadmap")
        discussion = await get(http, "/c/talk/roadmap")
    text = roadmap.text
    assert roadmap.status == 200, text
    assert text.index(">Planned") < text.index(">Dark mode<") < text.index(">Started")
    assert text.index(">Started") < text.index(">A public API<") < text.index(">Completed")
    assert text.index(">Completed") < text.index(">Export to CSV<")
    assert ">Custom themes<" not in text and ">Night theme<" not in text
    assert private.status == 403 and "private" in private.text
    assert discussion.status == 400 and "not an idea board" in discussion.text


async def test_the_board_and_the_roadmap_are_valid_html_and_accessible(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    scene = await idea_board(inst, peer)
    dark, night = await scene.post("dark"), await scene.post("night")
    pages = ["/c/news", "/c/news?status=planned&sort=new", f"/c/news/p/{dark.id}", f"/c/news/p/{night.id}",
             "/c/news/roadmap"]  # fmt: skip
    async with client(inst.base) as http:
        documents = {p: (await http.get(p)).text for p in pages}
    assert_valid_html(documents, tmp_path)
    page = await (await browser.new_context()).new_page()
    problems: dict[str, str] = {}
    for path in pages:
        await page.emulate_media(color_scheme="light")
        await page.goto(inst.base + path)
        await check_axe(page, problems, path)
        if path == "/c/news":
            await screenshot(page, "idea-board")
        elif path == "/c/news/roadmap":
            await screenshot(page, "roadmap")
        await page.emulate_media(color_scheme="dark")
        await check_axe(page, problems, path + " (dark)")
    assert problems == {}, "\n".join(f"{p}: {v}" for p, v in problems.items())
