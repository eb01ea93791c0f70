"""The idea forms on a staff post page over real HTTP: a moderator sets an idea's status with a note
(members are told in a staff reply) and merges a duplicate into the original; a refusal (an unknown
status, a merge into itself or across communities) shows the reason with what was typed kept, and
changes nothing; a discussion's thread has no such forms; valid HTML, accessible in light and dark."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from playwright.async_api import Browser

from fedicom.groups.models import Group, Post, Vote
from fedicom.ideas.board_models import IdeaState, IdeaStatusChange
from fedicom.ideas.lifecycle import IdeaStatus
from fedicom.ideas.status import standing_of
from tests.support.peer import Peer
from tests.web.browser import assert_valid_html, check_axe
from tests.web.http import get
from tests.web.scene import Scene, community, join, thread, vote
from tests.web.signin import browser_sign_in, form_token, staff_client
from tests.web.test_staff_posts import NOTICE


async def board(inst: Any, peer: Peer) -> Scene:
    """`news` as an idea board with two ideas (dark, by alice, voted by bob; night, by carol, voted by
    bob and dave), and `talk`, a discussion with a thread."""
    scene = await community(inst, peer)
    await Group.filter(name="news").update(kind="ideas")
    inst.groups.forget_group("news")
    for name, who, title, voters in (("dark", "alice", "Dark mode", ("bob",)),
                                     ("night", "carol", "Night theme", ("bob", "dave"))):  # fmt: skip
        scene.posts[name], _ = await thread(peer, scene.people[who], scene.group, f"<p>{title}!</p>",
                                            type="Page", name=title)  # fmt: skip
        for voter in voters:
            await vote(scene, voter, name)
    return scene


async def changes() -> tuple[int, int, int, int]:
    return (await IdeaState.all().count(), await IdeaStatusChange.all().count(), await Post.all().count(),
            await Vote.all().count())  # fmt: skip


async def test_moderators_set_a_status_and_merge_from_the_posts_page(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await board(inst, peer)
    dark, night = await scene.post("dark"), await scene.post("night")
    path = f"/staff/c/news/p/{dark.id}"
    async with staff_client(inst.base, "mia") as http:
        page = await get(http, path)
        assert "Status of this idea" in page.text and 'name="status"' in page.text
        assert '<option value="duplicate"' not in page.text  # merging sets it
        token = await form_token(http, path)
        forged = await http.post(f"{path}/idea-status", data={"status": "planned"})
        before = await changes()

        # a refusal: the reason, and what was typed kept
        wrong = await http.post(f"{path}/idea-status", data={"csrf_token": token, "status": "shipped",
                                                               "note": "Soon, really"})  # fmt: skip
        itself = await http.post(f"{path}/idea-merge", data={"csrf_token": token, "into": dark.object_id})
        assert await changes() == before
        # then the status set
        done = await http.post(f"{path}/idea-status", data={"csrf_token": token, "status": "planned",
                                                              "note": "For March."})  # fmt: skip
        after = await get(http, path)
        # and carol's idea merged into alice's
        night_path = f"/staff/c/news/p/{night.id}"
        into = {"csrf_token": await form_token(http, night_path), "into": str(dark.id)}
        merged = await http.post(f"{night_path}/idea-merge", data=into)
        original = await get(http, path)
        duplicate = await get(http, night_path)
    assert forged.status_code == 403
    assert wrong.status_code == 400 and "Soon, really</textarea>" in wrong.text
    assert 'role="alert">The status of an idea is one of open' in wrong.text and "not shipped." in wrong.text
    assert itself.status_code == 400 and "cannot be merged into itself" in itself.text
    assert f'value="{html.escape(dark.object_id)}"' in itself.text
    assert done.status_code == 303 and done.headers["location"] == path
    notice = NOTICE.search(after.text)
    assert notice and "is now Planned; members are told" in html.unescape(notice.group(2))
    assert (await standing_of(dark.id)).status is IdeaStatus.PLANNED
    reply = await Post.get(parent_id=dark.id, author=scene.moderator)
    assert "Status: Planned — For March." in reply.content
    assert merged.status_code == 303 and merged.headers["location"] == path
    assert f"Merged idea {night.id} into this one: 1 vote moved, 1 already there" in original.text
    assert "1 idea was merged into this one already" in original.text
    assert "stays a duplicate" in duplicate.text and 'name="into"' not in duplicate.text
    assert await Vote.filter(post_id=dark.id).count() == 2 and (await Post.get(id=night.id)).locked


async def test_no_idea_forms_outside_an_idea_board_and_merges_stay_in_one(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await board(inst, peer)
    await inst.community("talk")
    talk = await inst.groups.group("talk")
    from fedicom.groups.models import Moderator

    await Moderator.create(group=talk, actor=scene.moderator)
    await join(peer, scene.people["alice"], f"{inst.base}/c/talk")
    other, _ = await thread(peer, scene.people["alice"], f"{inst.base}/c/talk", "<p>Hi</p>", name="Chat")
    chat = await Post.get(object_id=other["id"])
    dark = await scene.post("dark")
    async with staff_client(inst.base, "mia") as http:
        page = await get(http, f"/staff/c/talk/p/{chat.id}")
        token = page.csrf_token()
        status = await http.post(f"/staff/c/talk/p/{chat.id}/idea-status",
                                 data={"csrf_token": token, "status": "planned"})  # fmt: skip
        into = {"csrf_token": token, "into": f"{inst.base}/c/talk/p/{chat.id}"}
        across = await http.post(f"/staff/c/news/p/{dark.id}/idea-merge", data=into)
    assert page.status == 200 and "Status of this idea" not in page.text
    assert status.status_code == 400 and "not an idea board" in status.text
    assert across.status_code == 400 and "ideas are merged within one community" in across.text
    assert not await IdeaState.exists()


async def test_the_idea_forms_are_valid_html_and_accessible(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    scene = await board(inst, peer)
    dark = await scene.post("dark")
    path = f"/staff/c/news/p/{dark.id}"
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, path)
        documents = {
            path: (await get(http, path)).text,
            "refused": (
                await http.post(f"{path}/idea-merge", data={"csrf_token": token, "into": "nope"})
            ).text,
        }
    assert_valid_html(documents, tmp_path)
    page = await browser_sign_in(browser, inst.base, "mia")
    problems: dict[str, str] = {}
    await page.goto(inst.base + path)
    await page.get_by_label("Address of the original idea").fill("no such idea")
    await page.get_by_role("button", name="Merge into the original").click()
    await page.get_by_role("alert").wait_for()
    for scheme in ("light", "dark"):
        await page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        await check_axe(page, problems, f"{path} refused ({scheme})")
    assert problems == {}, "\n".join(f"{p}: {v}" for p, v in problems.items())
