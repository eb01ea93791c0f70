"""Avatars of members and pictures written into a post's text reach visitors through this server only,
like attachments: the page names same-origin addresses, each fetched once from the member's server
and re-encoded; a forged or stale address is refused, and no page names a member's server as an image."""

from __future__ import annotations

import re

from fedicom.groups.models import Post
from tests.media.test_proxy_e2e import LIMITS
from tests.support.media_server import media_server
from tests.support.peer import Peer
from tests.support.steps import join
from tests.web.http import client
from tests.web.scene import community, thread

IMG_RE = re.compile(r'<img[^>]* src="([^"]+)"')


async def test_avatars_and_inline_pictures_come_through_the_proxy(instance, peer: Peer) -> None:
    inst = await instance(**LIMITS)
    scene = await community(inst, peer, members=("alice",))
    async with media_server() as media:
        # Given a member with an avatar, whose post writes a picture into its text
        dora = peer.person("dora", doc_extra={"icon": {"type": "Image", "url": media.url("/drawing.png")}})
        await join(peer, dora, scene.group)
        note, _ = await thread(
            peer, dora, scene.group, f'<p>Look: <img src="{media.url("/photo.jpg")}" alt="The view"></p>'
        )
        async with client(inst.base) as http:
            page = await http.get("/c/news")
            assert page.status_code == 200
            thread_page = await http.get(f"/c/news/p/{(await Post.get(object_id=note['id'])).id}")
            sources = IMG_RE.findall(page.text) + IMG_RE.findall(thread_page.text)
            # Then every picture on the pages is ours: the avatar and the inline picture, proxied
            assert sources and all(s.startswith("/") for s in sources), sources
            avatar = next(s for s in sources if s.startswith("/media/a/"))
            inline = next(s for s in IMG_RE.findall(thread_page.text) if s.startswith("/media/p/"))
            for src in (avatar, avatar, inline):
                answer = await http.get(src)
                assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/")
            # fetched once each from the member's server
            assert media.hits["/drawing.png"] == 1 and media.hits["/photo.jpg"] == 1
            # a forged avatar address is refused without a fetch
            forged = re.sub(r"/media/a/[0-9a-f]{32}/", "/media/a/" + "0" * 32 + "/", avatar)
            assert (await http.get(forged)).status_code == 404
            assert (await http.get("/media/a/" + "0" * 32 + "/!!")).status_code == 404
    assert media.hits["/drawing.png"] == 1
