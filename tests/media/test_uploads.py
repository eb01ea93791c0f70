"""Staff pictures: checked by their bytes, stored re-encoded without metadata, served from this server,
and described in the attachment a post carries; a file that is not a picture, or too large, is refused
and nothing is stored."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from PIL import Image

from fedicom.errors import FedicomError
from fedicom.media.attachments import Kind, attachments_of
from fedicom.media.store import LocalFiles
from fedicom.media.uploads import store_picture
from tests.support.pictures import CAMERA, SVG, claiming, with_gps

BASE = "https://community.example"


async def test_a_staff_picture_is_stored_without_metadata_and_described(tmp_path: Path) -> None:
    stored = await store_picture(
        with_gps("JPEG", (3000, 1000)), "  The meetup\n poster ", files=LocalFiles(tmp_path), base_url=BASE
    )
    assert stored.url.startswith(f"{BASE}/media/") and stored.url.endswith(".jpg")
    assert (stored.media_type, stored.width, stored.height, stored.alt) == (
        "image/jpeg",
        2048,
        683,
        "The meetup poster",
    )
    [kept] = list((tmp_path / "media").iterdir())
    assert CAMERA.encode() not in kept.read_bytes() and len(Image.open(kept).getexif()) == 0
    # the attachment reads back as what it is, through the same parser members' posts go through
    [parsed] = attachments_of({"type": "Note", "attachment": [stored.attachment()]})
    assert (parsed.kind, parsed.url, parsed.name, parsed.width) == (
        Kind.IMAGE,
        stored.url,
        "The meetup poster",
        2048,
    )


@pytest.mark.parametrize(
    ("data", "alt", "status", "reason"),
    [
        (SVG, "", 415, "not a PNG, JPEG, GIF or WebP image"),
        (b"%PDF-1.7 not a picture", "", 415, "not a PNG, JPEG, GIF or WebP image"),
        (b"\xff\xd8\xff" + b"\0" * (8 * 1024 * 1024), "", 413, "larger than 8 MiB"),
        (claiming(20_000, 20_000), "", 400, "larger than 12000 by 12000 pixels"),
        (claiming(8_000, 8_000), "", 400, "more than 40 million pixels"),
        (with_gps("PNG"), "x" * 1501, 400, "longer than 1500 characters"),
    ],
)
async def test_bad_uploads_are_refused_and_nothing_is_stored(
    tmp_path: Path, data: bytes, alt: str, status: int, reason: str
) -> None:
    with pytest.raises(FedicomError) as refused:
        await store_picture(data, alt, files=LocalFiles(tmp_path), base_url=BASE)
    assert refused.value.status == status and reason in refused.value.reason
    assert not (tmp_path / "media").exists()


async def test_a_stored_picture_is_served_by_the_instance(instance) -> None:
    inst = await instance()
    stored = await store_picture(with_gps("PNG"), "", files=inst.files, base_url=inst.base)
    async with httpx.AsyncClient() as http:
        resp = await http.get(stored.url)
    assert resp.status_code == 200 and resp.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(resp.content)).size == (stored.width, stored.height)
    assert "name" not in stored.attachment()  # no description: no empty alt text goes out
