"""The leaderboard page and the badges by names, over real HTTP from a community whose members' server
is a real signed peer on loopback: points follow votes as they arrive and as they are undone, the rules
are shown, a member left out appears nowhere, a community may switch it off, a private one never shows
it; valid HTML and accessible in light and dark mode."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser

from fedicom.groups.models import Group
from fedicom.recognition import leaving
from fedicom.recognition.standing import leaderboard
from tests.support.peer import Peer
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import client, get
from tests.web.scene import Scene, discussion, send, vote

PAGE = "/c/news/leaderboard"


async def points(scene: Scene) -> dict[str, int]:
    group = await Group.get(name="news")
    return {s.actor.rsplit("/", 1)[-1]: s.points for s in await leaderboard(group)}


async def test_a_signed_vote_gives_its_point_and_its_undo_takes_it_back(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await discussion(inst, peer)
    # alice's own like of her thread never counts; bob's and carol's do; bob gets +2 for alice's
    # replies in his thread; carol's two downvotes are met by alice's reply in her thread
    assert await points(scene) == {"alice": 2, "bob": 3, "carol": 0}

    dave = scene.people["dave"]
    like = peer.activity("Like", dave, scene.posts["old"]["id"])
    await send(peer, dave, scene.group, like)
    assert (await points(scene))["alice"] == 3
    await send(peer, dave, scene.group, peer.activity("Undo", dave, like))
    assert (await points(scene))["alice"] == 2

    await vote(scene, "carol", "fresh", "Dislike")  # a downvote counts against the author
    assert (await points(scene))["bob"] == 2


async def test_the_leaderboard_shows_members_by_points_with_badges_and_rules(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await discussion(inst, peer)
    async with client(inst.base) as http:
        board = await get(http, PAGE)
        home = await get(http, "/c/news")
    assert board.status == 200
    text = board.text
    assert text.index(">Bob<") < text.index(">Alice<") < text.index(">Carol<")
    assert (
        "First contribution" in text and "for each upvote" in text and "Top contributor of the month" in text
    )
    assert f'href="{PAGE}"' in home.text
    earned = 'class="badge earned" title="Earned by a first thread or reply that is still shown">'
    assert earned + "First contribution" in home.text

    group = await Group.get(name="news")
    await leaving.leave_out(group, scene.people["bob"].uri, by=scene.moderator)
    async with client(inst.base) as http:
        board = await get(http, PAGE)
        fresh = await get(http, f"/c/news/p/{(await scene.post('fresh')).id}")
    assert ">Bob<" not in board.text and ">Alice<" in board.text
    assert f'href="{scene.people["bob"].uri}"' in fresh.text  # still named, but with no badge
    bob_line = fresh.text.split(f'href="{scene.people["bob"].uri}"')[1].split("</p>")[0]
    assert "badge earned" not in bob_line


async def test_switched_off_or_private_there_is_no_leaderboard(instance, peer: Peer) -> None:
    inst = await instance()
    await discussion(inst, peer)
    await inst.community("club", title="Book Club", private=True)
    await Group.filter(name="news").update(leaderboard=False)
    inst.groups.forget_group("news")
    async with client(inst.base) as http:
        off = await get(http, PAGE)
        private = await get(http, "/c/club/leaderboard")
        home = await get(http, "/c/news")
    assert off.status == 404 and "has no leaderboard" in off.text
    assert private.status == 404 and "private" in private.text
    assert "/leaderboard" not in home.text
    assert await leaderboard(await Group.get(name="club")) == []


async def test_the_leaderboard_is_valid_html_and_accessible(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    await discussion(inst, peer)
    async with client(inst.base) as http:
        documents = {PAGE: (await http.get(PAGE)).text}
    assert_valid_html(documents, tmp_path)
    page = await (await browser.new_context()).new_page()
    problems: dict[str, str] = {}
    await page.goto(inst.base + PAGE)
    await check_axe(page, problems, PAGE)
    await screenshot(page, "leaderboard")
    await page.emulate_media(color_scheme="dark")
    await check_axe(page, problems, PAGE + " (dark)")
    assert problems == {}, "\n".join(f"{p}: {v}" for p, v in problems.items())
