"""Members' pictures reach visitors through this server only: fetched once from the member's server
(through the SSRF guard, bounded in bytes and time), judged by their bytes, re-encoded without
metadata, cached; bad files, dead servers, forged addresses and reject_media blocks get a clear
refusal, and nothing is stored or sent for them."""

from __future__ import annotations

import html
import io
import re
import time
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from PIL import Image

from fedicom.activitypub.fetch import Fetcher
from fedicom.activitypub.netguard import GuardedResolver
from fedicom.errors import FedicomError
from fedicom.media.cache import CACHE_FOLDER, MediaCache
from fedicom.media.links import MediaLinks, Variant
from fedicom.media.proxy import MediaLimits, MediaProxy
from fedicom.media.store import LocalFiles
from fedicom.moderation.blocks import block_domain
from tests.moderation.helpers import admin
from tests.support.dns import FixedResolver
from tests.support.media_server import media_server
from tests.support.objectstore import ObjectStore
from tests.support.peer import Peer, serving
from tests.support.pictures import CAMERA
from tests.support.servers import Instance
from tests.web.http import client
from tests.web.scene import Scene, community, thread

PICTURE_RE = re.compile(r'<img src="(/media/p/[^"]+)" alt="([^"]*)"')
LIMITS = {"media_max_bytes": 2 * 1024 * 1024, "media_fetch_seconds": 1.0}


def image(url: str, name: str | None = None, media_type: str = "image/png", **extra: Any) -> dict[str, Any]:
    return {"type": "Document", "mediaType": media_type, "url": url, "name": name, **extra}


async def post_with(scene: Scene, key: str, attachments: list[dict[str, Any]], **extra: Any) -> int:
    """A thread by alice carrying the attachments; returns its post id here."""
    scene.posts[key], _ = await thread(
        scene.peer, scene.people["alice"], scene.group, f"<p>{key}</p>", attachment=attachments, **extra
    )
    return (await scene.post(key)).id


async def pictures_on(http: httpx.AsyncClient, path: str) -> list[tuple[str, str]]:
    page = await http.get(path)
    assert page.status_code == 200, page.text
    return [(src, html.unescape(alt)) for src, alt in PICTURE_RE.findall(page.text)]


def cached_files(inst: Instance) -> list[Path]:
    folder = inst.settings.data_dir / CACHE_FOLDER
    return sorted(folder.iterdir()) if folder.is_dir() else []


async def test_with_an_object_store_proxied_pictures_are_cached_in_the_bucket(
    instance, peer: Peer, object_store: ObjectStore
) -> None:
    # Given an instance whose media go to the object store, and a member's post with a picture
    inst = await instance(**LIMITS, **object_store.settings())
    scene = await community(inst, peer, members=("alice",))
    async with media_server() as media:
        post_id = await post_with(scene, "photos", [image(media.url("/drawing.png"), "A drawing")])
        async with client(inst.base) as http:
            [(src, _)] = await pictures_on(http, f"/c/news/p/{post_id}")
            # When it is shown twice, then it was fetched once and cached in the bucket, not on disk
            first, again = await http.get(src), await http.get(src)
    assert first.status_code == 200 and again.content == first.content
    assert media.hits["/drawing.png"] == 1
    [cached] = await object_store.names(CACHE_FOLDER)
    assert cached.startswith(f"{CACHE_FOLDER}/") and cached.endswith(".png")
    assert cached_files(inst) == []


async def test_a_members_picture_is_served_from_here_reencoded_and_fetched_once(instance, peer: Peer) -> None:
    inst = await instance(**LIMITS)
    scene = await community(inst, peer, members=("alice",))
    async with media_server() as media:
        post_id = await post_with(
            scene,
            "photos",
            [
                image(
                    media.url("/photo.jpg"),
                    "A tomato plant on a balcony",
                    "image/jpeg",
                    width=2400,
                    height=1800,
                ),
                image(media.url("/drawing.png"), None),
            ],
        )
        async with client(inst.base) as http:
            page = (await http.get(f"/c/news/p/{post_id}")).text
            found = await pictures_on(http, f"/c/news/p/{post_id}")
            assert [alt for _, alt in found] == [
                "A tomato plant on a balcony",
                "A picture its author did not describe",
            ]
            assert media.base not in page  # the page names no address on the member's server
            assert 'width="1600" height="1200"' in page

            photo = await http.get(found[0][0])
            assert photo.status_code == 200
            assert photo.headers["content-type"] == "image/jpeg"
            assert photo.headers["x-content-type-options"] == "nosniff"
            assert photo.headers["content-security-policy"] == "default-src 'none'; sandbox"
            assert "max-age=2592000" in photo.headers["cache-control"]
            served = Image.open(io.BytesIO(photo.content))
            assert served.size == (1600, 1200)
            assert len(served.getexif()) == 0 and CAMERA.encode() not in photo.content

            again = await http.get(found[0][0])
            thumb = await http.get(found[0][0].replace("/full", "/thumb"))
            assert again.content == photo.content
            assert Image.open(io.BytesIO(thumb.content)).size == (320, 240)
            assert media.hits["/photo.jpg"] == 1  # the cache and the thumbnail asked the member's server once

            drawing = await http.get(found[1][0])
            assert drawing.headers["content-type"] == "image/png"
            assert Image.open(io.BytesIO(drawing.content)).size == (64, 48)
    assert len(cached_files(inst)) == 3


async def test_bad_files_are_refused_with_a_reason_and_nothing_is_stored(instance, peer: Peer) -> None:
    inst = await instance(**LIMITS)
    scene = await community(inst, peer, members=("alice",))
    async with media_server() as media:
        media.slow_seconds = 5.0
        post_id = await post_with(
            scene,
            "bad",
            [
                image(media.url("/fake.png"), "fake"),
                image(media.url("/huge.jpg"), "huge", "image/jpeg"),
                image(media.url("/slow.png"), "slow"),
                image(media.url("/missing.png"), "missing"),
            ],
        )
        async with client(inst.base) as http:
            src = dict((alt, src) for src, alt in await pictures_on(http, f"/c/news/p/{post_id}"))
            json = {"Accept": "application/json"}
            fake = await http.get(src["fake"], headers=json)
            assert fake.status_code == 502
            assert "is not a PNG, JPEG, GIF or WebP image" in fake.json()["error"]
            huge = await http.get(src["huge"], headers=json)
            assert huge.status_code == 502
            assert f"is larger than {2 * 1024 * 1024} bytes" in huge.json()["error"]
            started = time.monotonic()
            slow = await http.get(src["slow"], headers=json)
            assert slow.status_code == 502 and "timed out after 1 s" in slow.json()["error"]
            assert time.monotonic() - started < 3
            missing = await http.get(src["missing"], headers=json)
            assert missing.status_code == 404 and "no longer has this picture" in missing.json()["error"]

            # asked again: the same answers, from memory; the member's server is not asked again
            for name in ("fake", "huge", "slow", "missing"):
                assert (await http.get(src[name])).status_code in (404, 502)
            assert [media.hits[p] for p in ("/fake.png", "/huge.jpg", "/slow.png", "/missing.png")] == [1] * 4
    assert cached_files(inst) == []


async def test_forged_and_foreign_addresses_are_not_proxied(instance, peer: Peer) -> None:
    inst = await instance(**LIMITS)
    scene = await community(inst, peer, members=("alice",))
    async with media_server() as media:
        first = await post_with(scene, "first", [image(media.url("/drawing.png"), "drawing")])
        second = await post_with(
            scene,
            "second",
            [
                image(media.url("/photo.jpg"), "photo", "image/jpeg"),
                image(media.url("/rain.mp3"), "rain", "audio/mpeg"),
            ],
        )
        links = MediaLinks(inst.settings.secret_key)
        async with client(inst.base) as http:
            [(src, _)] = await pictures_on(http, f"/c/news/p/{first}")
            mac = src.split("/")[4]
            forged = mac[:-1] + ("0" if mac[-1] != "0" else "1")
            attempts = [
                src.replace(mac, forged),  # one character changed
                src.replace(f"/p/{first}/", f"/p/{second}/"),  # a real MAC, on another post
                src.replace("/full", "/huge"),
                src.replace(mac, "not-a-mac"),
                links.path(second, media.url("/rain.mp3")),  # signed, but not a picture
                links.path(second, media.url("/other.png")),  # signed, but not in the post
                links.path(99999, media.url("/drawing.png")),
                MediaLinks("another secret").path(first, media.url("/drawing.png")),
            ]
            for path in attempts:
                resp = await http.get(path, headers={"Accept": "application/json"})
                assert resp.status_code == 404, path
                assert resp.json()["error"] == "there is no such picture"
            assert (await http.get(src)).status_code == 200
    assert sum(media.hits.values()) == 1


async def test_reject_media_withholds_the_pictures_and_shows_their_descriptions(instance, peer: Peer) -> None:
    inst = await instance(**LIMITS)
    scene = await community(inst, peer, members=("alice",))
    async with media_server() as media:
        post_id = await post_with(scene, "pics", [image(media.url("/drawing.png"), "A blue square")])
        async with client(inst.base) as http:
            [(src, _)] = await pictures_on(http, f"/c/news/p/{post_id}")
            await block_domain(
                inst.groups,
                inst.defed,
                "127.0.0.3",
                severity="noop",
                reject_media=True,
                moderator=await admin(inst),
            )
            page = (await http.get(f"/c/news/p/{post_id}")).text
            host = media.base.removeprefix("http://")
            assert f"Media from {host} is not shown on this server." in page
            assert "A blue square" in page and "/media/p/" not in page
            listed = (await http.get("/c/news")).text
            assert f"Media from {host} is not shown on this server." in listed
            refused = await http.get(src, headers={"Accept": "application/json"})
            assert refused.status_code == 403
            assert refused.json()["error"] == f"media from {host} is not shown on this server"
    assert sum(media.hits.values()) == 0 and cached_files(inst) == []


async def test_a_community_block_of_the_authors_server_withholds_media_there_only(instance) -> None:
    inst = await instance(**LIMITS)
    async with serving("127.0.0.2") as far, media_server() as media:
        scene = await community(inst, far, members=("alice",))
        post_id = await post_with(scene, "pics", [image(media.url("/drawing.png"), "A blue square")])
        group = await inst.groups.group("news")
        await block_domain(
            inst.groups,
            inst.defed,
            "127.0.0.2",
            severity="noop",
            reject_media=True,
            moderator=scene.moderator,
            community=group,
        )
        async with client(inst.base) as http:
            page = (await http.get(f"/c/news/p/{post_id}")).text
            assert f"Media from {far.base.removeprefix('http://')} is not shown on this server." in page
            assert "/media/p/" not in page
    assert sum(media.hits.values()) == 0


async def test_private_addresses_are_refused_outside_development_mode(instance, peer: Peer) -> None:
    """A production proxy (the one `create_app` builds without FEDICOM_DEV) over the same posts: a name
    resolving to loopback, a loopback literal and plain http are refused before any byte is sent."""
    inst = await instance(**LIMITS)
    scene = await community(inst, peer, members=("alice",))
    async with media_server() as media:
        port = media.base.rsplit(":", 1)[1]
        urls = {
            "name": f"https://media.example:{port}/drawing.png",
            "literal": f"https://127.0.0.3:{port}/drawing.png",
            "http": f"http://media.example:{port}/drawing.png",
        }
        post_id = await post_with(scene, "private", [image(u, name) for name, u in urls.items()])
        links = MediaLinks(inst.settings.secret_key)
        resolver = FixedResolver(
            ["127.0.0.3"]
        )  # media.example resolves to loopback, as a rebinding attacker's would
        for allow_private in (False, True):
            guarded = GuardedResolver(allow_private=allow_private, resolver=resolver)
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=guarded)) as session:
                proxy = MediaProxy(
                    Fetcher(session, allow_private=allow_private),
                    MediaCache(LocalFiles(inst.settings.data_dir / "production"), 10_000_000),
                    inst.defed,
                    links,
                    MediaLimits(1_000_000, 1.0, 60.0),
                    allow_private=allow_private,
                )
                for name, url in urls.items():
                    mac = links.mac(post_id, url)
                    try:
                        await proxy.post_picture(post_id, mac, Variant.FULL)
                        outcome = "served"
                    except FedicomError as exc:
                        outcome = f"{exc.status} {exc.reason}"
                    if allow_private:
                        # development mode: the names resolve and connect (TLS then fails: the server
                        # speaks plain http), so it is the guard that refused above, not the network
                        assert not outcome.startswith("403"), (name, outcome)
                    else:
                        assert outcome.startswith("403"), (name, outcome)
                        expected = {
                            "name": "non-public",
                            "literal": "is not public",
                            "http": "https is required",
                        }[name]
                        assert expected in outcome, (name, outcome)
            if not allow_private:
                assert sum(media.hits.values()) == 0
