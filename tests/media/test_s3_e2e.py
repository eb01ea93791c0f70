"""Media in a real S3-compatible object store (SeaweedFS on loopback): a community icon uploaded on the
staff pages and a staff picture in a post go to the bucket, never to the disk; the pages serve them;
removing the icon deletes its object, and only when nothing else names it."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from fedicom.groups.models import Group
from fedicom.publishing.compose import Author, publish
from fedicom.publishing.drafts import Draft, Upload
from tests.support.objectstore import ObjectStore
from tests.support.peer import Peer
from tests.support.pictures import picture
from tests.web.http import client, get
from tests.web.scene import community
from tests.web.signin import admin, form_token, staff_client

NEWS = "/staff/c/news"
ICONS = f"{NEWS}/images"
SITE = "/staff/site"


async def upload(http: httpx.AsyncClient, path: str, target: str, **fields: str | bytes) -> httpx.Response:
    """The pictures form on the staff page `path`, posted to `target`; bytes go as PNG files."""
    token = await form_token(http, path)
    files = {k: ("x.png", v, "image/png") for k, v in fields.items() if isinstance(v, bytes)}
    data = {k: v for k, v in fields.items() if isinstance(v, str)}
    return await http.post(target, data={"csrf_token": token, **data}, files=files)


async def test_icons_and_pictures_round_trip_through_the_object_store(
    instance, peer: Peer, object_store: ObjectStore
) -> None:
    # Given an instance whose media go to the object store, and a community moderated by mia
    inst = await instance(**object_store.settings())
    await community(inst, peer, members=())
    png = picture("PNG", (64, 64))

    # When mia uploads an icon, and publishes a post with a picture
    async with staff_client(inst.base, "mia") as http:
        resp = await upload(http, NEWS, ICONS, icon=png)
        assert resp.status_code == 303, resp.text
    news = await Group.get(name="news")
    post = await publish(
        inst.groups,
        Author(inst.site.staff_uri("mia"), inst.files),
        news,
        Draft(title="Autumn", body="hi", uploads=(Upload(picture("JPEG", (300, 200)), "A scarf"),)),
    )
    [attached] = post.document["attachment"]

    # Then both are objects in the bucket, nothing is on the disk, and the pages serve them
    assert news.icon_url is not None
    icon, photo = (f"media/{url.rsplit('/', 1)[1]}" for url in (news.icon_url, attached["url"]))
    assert await object_store.names("media") == {icon, photo}
    assert not (inst.settings.data_dir / "media").exists()
    async with client(inst.base) as http:
        for name, url in ((icon, news.icon_url), (photo, attached["url"])):
            served = await http.get(urlsplit(url).path)
            assert served.status_code == 200 and served.content == await stored_bytes(object_store, name)
            assert served.headers["x-content-type-options"] == "nosniff"
        assert served.headers["content-type"] == "image/jpeg"
        page = await get(http, "/c/news")
        assert f'src="{news.icon_url}"' in page.text

    # When mia removes the icon, then its object is deleted; the post's picture stays
    async with staff_client(inst.base, "mia") as http:
        resp = await upload(http, NEWS, ICONS, remove_icon="on")
        assert resp.status_code == 303, resp.text
    assert await object_store.names("media") == {photo}
    async with client(inst.base) as http:
        assert (await http.get(urlsplit(news.icon_url).path)).status_code == 404


async def test_a_picture_still_named_elsewhere_is_kept_when_one_use_goes(
    instance, peer: Peer, object_store: ObjectStore
) -> None:
    # Given the same picture as the community's icon and the site's logo (one object, by its content)
    inst = await instance(**object_store.settings())
    await community(inst, peer, members=())
    await admin("ada")
    png = picture("PNG", (64, 64))
    async with staff_client(inst.base, "mia") as http:
        assert (await upload(http, NEWS, ICONS, icon=png)).status_code == 303
    async with staff_client(inst.base, "ada") as http:
        assert (await upload(http, SITE, f"{SITE}/files", logo=png)).status_code == 303
    [name] = await object_store.names("media")

    # When the icon is removed, the logo keeps the object; when the logo goes too, it is deleted
    async with staff_client(inst.base, "mia") as http:
        assert (await upload(http, NEWS, ICONS, remove_icon="on")).status_code == 303
    assert await object_store.names("media") == {name}
    async with staff_client(inst.base, "ada") as http:
        assert (await upload(http, SITE, f"{SITE}/files", remove_logo="on")).status_code == 303
    assert await object_store.names("media") == set()


async def test_with_a_public_bucket_url_media_are_redirected_there(
    instance, object_store: ObjectStore
) -> None:
    inst = await instance(**object_store.settings(), s3_public_url="https://cdn.example/fedicom-media/")
    name = "0" * 64 + ".png"
    async with client(inst.base) as http:
        resp = await http.get(f"/media/{name}")
        assert resp.status_code == 302
        assert resp.headers["location"] == f"https://cdn.example/fedicom-media/media/{name}"
        assert (await http.get("/media/..%2Fsecret_key")).status_code == 404


async def stored_bytes(store: ObjectStore, name: str) -> bytes:
    import obstore

    return bytes(await (await obstore.get_async(store.client(), name)).bytes_async())
