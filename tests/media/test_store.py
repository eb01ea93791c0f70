"""The media store, on disk and in a real S3-compatible object store (SeaweedFS on loopback): the same
behaviour either way, so every writer and the /media route can go through it unaware of which."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fedicom.groups.images import ICON, Picture, media_url, prepare
from fedicom.media.cache import CACHE_FOLDER, Cached, MediaCache, cache_key
from fedicom.media.s3 import S3Files
from fedicom.media.store import FileStore, LocalFiles, keep, media_name, read_media
from fedicom.settings import load_settings
from tests.support.objectstore import ObjectStore, seaweedfs
from tests.support.pictures import picture


@pytest.fixture(params=["local", "s3"])
async def files(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FileStore]:
    if request.param == "local":
        yield LocalFiles(tmp_path / "data")
        return
    async with seaweedfs(tmp_path / "seaweedfs") as store:
        yield s3_files(store, tmp_path)


def s3_files(store: ObjectStore, tmp_path: Path) -> S3Files:
    return S3Files(load_settings(dev=True, data_dir=tmp_path / "data", **store.settings()))


async def test_an_object_is_written_read_listed_and_deleted(files: FileStore) -> None:
    # Given nothing stored, when a picture is put, then it reads back and is listed with its size
    assert await files.get("media/a.png") is None
    await files.put("media/a.png", b"\x89PNG one", "image/png")
    await files.put("media/a.png", b"\x89PNG two", "image/png")  # the last write wins
    assert await files.get("media/a.png") == b"\x89PNG two"
    [entry] = await files.listing("media")
    assert (entry.name, entry.size) == ("media/a.png", len(b"\x89PNG two"))
    assert await files.listing("media-cache") == []
    # when it is deleted it is gone, and deleting it again is no error
    await files.delete("media/a.png")
    await files.delete("media/a.png")
    assert await files.get("media/a.png") is None and await files.listing("media") == []


async def test_an_upload_is_kept_under_its_content_hash_and_read_back_with_its_type(files: FileStore) -> None:
    icon = prepare(ICON, picture("PNG"))
    name = await keep(files, icon)
    assert name == icon.filename and len(name) == len("0" * 64 + ".png")
    assert await keep(files, prepare(ICON, picture("PNG"))) == name  # the same picture: the same object
    assert [e.name for e in await files.listing("media")] == [media_name(name)]
    assert await read_media(files, name) == (icon.data, "image/png")
    assert media_url("https://groups.example", name) == f"https://groups.example/media/{name}"


@pytest.mark.parametrize(
    "name",
    [
        "../secret_key",
        "fedicom.sqlite3",
        "A" * 64 + ".png",
        "0" * 64 + ".svg",
        "0" * 64 + ".png",  # well named, but never stored
        "0" * 64 + ".png/..",
    ],
)
async def test_only_stored_media_can_be_named(tmp_path: Path, name: str) -> None:
    files = LocalFiles(tmp_path)
    (tmp_path / "media").mkdir()
    (tmp_path / "secret_key").write_text("secret")
    await files.put("fedicom.sqlite3", b"SQLite format 3", "application/octet-stream")
    assert await read_media(files, name) is None


async def test_the_media_cache_keeps_under_its_cap_by_removing_the_oldest(files: FileStore) -> None:
    # Given a cache of 2,500 bytes holding pictures of 1,000 bytes written one after the other
    cache = MediaCache(files, 2_500)
    pictures = [Picture(bytes([i]) * 1000, "png", 10, 10) for i in range(3)]
    keys = [cache_key(f"https://m.example/{i}.png", "full") for i in range(3)]
    for key, pic in zip(keys[:2], pictures[:2], strict=True):
        await cache.put(key, pic)
        await asyncio.sleep(1.1)  # S3 times are whole seconds
    assert await cache.usage() == 2000
    # When a third goes past the cap, then the oldest goes, down to 90% of the cap
    await cache.put(keys[2], pictures[2])
    assert await cache.get(keys[0]) is None
    assert [await cache.get(k) for k in keys[1:]] == [Cached(p.data, "image/png") for p in pictures[1:]]
    assert {e.name for e in await files.listing(CACHE_FOLDER)} == {
        f"{CACHE_FOLDER}/{k}.png" for k in keys[1:]
    }


async def test_on_disk_the_cache_removes_the_least_recently_read(tmp_path: Path) -> None:
    cache = MediaCache(LocalFiles(tmp_path), 2_500)
    pictures = [Picture(bytes([i]) * 1000, "png", 10, 10) for i in range(3)]
    keys = [cache_key(f"https://m.example/{i}.png", "full") for i in range(3)]
    await cache.put(keys[0], pictures[0])
    await cache.put(keys[1], pictures[1])
    for key in keys[:2]:  # written long ago
        os.utime(tmp_path / CACHE_FOLDER / f"{key}.png", (1_000_000, 1_000_000))
    assert await cache.get(keys[0]) is not None  # read now: the first one is the most recent
    await cache.put(keys[2], pictures[2])
    assert await cache.get(keys[1]) is None and await cache.get(keys[0]) is not None
