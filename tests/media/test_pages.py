"""What visitors read of members' media and polls on the thread and community pages: pictures with
their descriptions, sensitive ones behind a click, other files as named links, polls with their counts
kept current by the author's server."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from tests.support.peer import Peer
from tests.web.http import client
from tests.web.scene import Scene, community, post_of, reply, send, thread

OWN = Path(__file__).resolve().parents[1] / "fixtures" / "media"


def own(name: str) -> dict[str, Any]:
    return json.loads((OWN / name).read_text())  # type: ignore[no-any-return]


def shaped_like(name: str, **changes: Any) -> dict[str, Any]:
    """Our payload's object fields (attachments, poll, warnings), to be sent by a loopback member."""
    document = own(name)
    keep = ("type", "summary", "sensitive", "attachment", "image", "oneOf", "anyOf", "endTime", "closed")
    return {k: document[k] for k in keep if k in document} | changes


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


async def scene_with_members(inst: Any, peer: Peer) -> Scene:
    return await community(inst, peer, members=("alice", "bob"))


async def test_a_content_warning_hides_the_pictures_behind_a_click_and_other_files_are_links(
    instance, peer: Peer
) -> None:
    inst = await instance()
    scene = await scene_with_members(inst, peer)
    note, _ = await thread(
        peer,
        scene.people["alice"],
        scene.group,
        "<p>Found this one in the shed.</p>",
        **shaped_like("note_mastodon_video_cw.json"),
    )
    files, _ = await thread(
        peer,
        scene.people["bob"],
        scene.group,
        "<p>Harvest</p>",
        name="Harvest",
        **shaped_like("note_misskey_files.json", sensitive=False),
    )
    spiders, harvest = await post_of(note["id"]), await post_of(files["id"])
    async with client(inst.base) as http:
        page = (await http.get(f"/c/news/p/{spiders.id}")).text
        warning = re.search(
            r'<details class="sensitive">\s*<summary>(.*?)</summary>(.*?)</details>', page, re.S
        )
        assert warning is not None and warning.group(1) == "spiders: show 1 picture"
        assert 'alt="The spider, close up"' in warning.group(2)
        assert "A garden spider repairing its web (video, files.mastodon.example)" in text_of(page)
        assert (
            'href="https://files.mastodon.example/media_attachments/files/113/400/000/original/a1b2.mp4"'
            in page
        )

        # Misskey marks one file sensitive, not the post: the pictures are hidden all the same
        page = (await http.get(f"/c/news/p/{harvest.id}")).text
        assert "<summary>Sensitive: show 2 pictures</summary>" in page
        shown = text_of(page)
        assert "Rain on the roof (audio, s3.misskey.example)" in shown
        assert "Planting plan (file, s3.misskey.example)" in shown

        listing = (await http.get("/c/news?sort=new")).text
        assert 'class="thumb"' not in listing  # no thumbnail of a hidden picture in the list
        assert "spiders</span> 1 picture" in listing and "Sensitive</span> 2 pictures" in listing


async def test_pictures_in_replies_and_thumbnails_in_the_list(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await scene_with_members(inst, peer)
    root, _ = await thread(
        peer,
        scene.people["alice"],
        scene.group,
        "<p>Show your balcony</p>",
        name="Balconies",
        **shaped_like("page_piefed_link.json"),
    )
    answer, _ = await reply(peer, scene.people["bob"], scene.group, root["id"], "<p>Mine</p>")
    shown = {
        **answer,
        "attachment": [{"type": "Image", "url": "https://bob.example/balcony.webp", "name": "Bob's balcony"}],
    }
    await send(peer, scene.people["bob"], scene.group, peer.activity("Update", scene.people["bob"], shown))
    post = await post_of(root["id"])
    async with client(inst.base) as http:
        page = (await http.get(f"/c/news/p/{post.id}")).text
        alts = re.findall(r'<img src="/media/p/\d+/[0-9a-f]{32}/full" alt="([^"]*)"', page)
        assert alts == ["A picture its author did not describe", "Bob&#39;s balcony"]
        assert "news.example (link)" in text_of(page)
        listing = (await http.get("/c/news")).text
        assert re.search(rf'<img class="thumb" src="/media/p/{post.id}/[0-9a-f]{{32}}/thumb"', listing)


async def test_a_poll_shows_its_options_counts_and_state_and_follows_updates(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await scene_with_members(inst, peer)
    alice = scene.people["alice"]
    question, _ = await thread(
        peer,
        alice,
        scene.group,
        "<p>Which day suits the next meetup?</p>",
        name="Meetup day",
        **shaped_like("question_mastodon.json", endTime="2099-11-27T09:00:00Z"),
        votersCount=10,
    )
    several, _ = await thread(
        peer,
        alice,
        scene.group,
        "<p>Editors?</p>",
        name="Editors",
        **shaped_like("question_misskey.json"),
    )
    closed, _ = await thread(
        peer,
        alice,
        scene.group,
        "<p>Tabs or spaces?</p>",
        name="Tabs",
        **shaped_like("question_pleroma_closed.json"),
    )
    day, editors, tabs = [await post_of(n["id"]) for n in (question, several, closed)]
    async with client(inst.base) as http:
        shown = text_of((await http.get(f"/c/news/p/{day.id}")).text)
        assert "Poll: One choice · 10 people voted · closes 2099-11-27 09:00 UTC" in shown
        assert "Saturday 60% (6 votes) Sunday 30% (3 votes) A weekday evening 10% (1 vote)" in shown
        page = (await http.get(f"/c/news/p/{day.id}")).text
        assert '<meter min="0" max="100" value="60" aria-hidden="true"></meter>' in page

        shown = text_of((await http.get(f"/c/news/p/{editors.id}")).text)
        assert "Poll: Several choices · 11 votes · open" in shown
        assert "Vim 45% (5 votes) Emacs 36% (4 votes) Kate 18% (2 votes)" in shown
        shown = text_of((await http.get(f"/c/news/p/{tabs.id}")).text)
        assert "Poll: One choice · 0 votes · closed" in shown

        # votes come in: the author's server sends the Question again with new counts
        question["oneOf"][1]["replies"]["totalItems"] = 13
        question["votersCount"] = 20
        await send(peer, alice, scene.group, peer.activity("Update", alice, question))
        shown = text_of((await http.get(f"/c/news/p/{day.id}")).text)
        assert "Saturday 30% (6 votes) Sunday 65% (13 votes) A weekday evening 5% (1 vote)" in shown
        assert "20 people voted" in shown

        listing = text_of((await http.get("/c/news?sort=new")).text)
        assert (
            "Poll: Saturday 30% · Sunday 65% · A weekday evening 5% (One choice · 20 people voted" in listing
        )
