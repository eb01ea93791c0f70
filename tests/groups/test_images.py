"""Icons and banners: judged by their bytes, refused before decoding when too large, re-encoded from
their pixels so no metadata nor appended payload survives, stored once under a content-hash name."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image

from fedicom.errors import FedicomError
from fedicom.groups.images import BANNER, ICON, MAX_BYTES, prepare
from tests.support.pictures import (
    CAMERA,
    PAYLOAD,
    SVG,
    animated_gif,
    camera_exif,
    claiming,
    picture,
    with_gps,
)


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


@pytest.mark.parametrize(
    ("fmt", "extension", "content_type"),
    [
        ("PNG", "png", "image/png"),
        ("JPEG", "jpg", "image/jpeg"),
        ("WEBP", "webp", "image/webp"),
    ],
)
def test_a_pictures_gps_position_and_camera_are_not_kept(fmt: str, extension: str, content_type: str) -> None:
    upload = with_gps(fmt)
    assert CAMERA.encode() in upload and dict(opened(upload).getexif().get_ifd(ExifTags.IFD.GPSInfo))

    result = prepare(ICON, upload)

    assert (result.extension, result.content_type, result.width, result.height) == (
        extension,
        content_type,
        40,
        30,
    )
    again = opened(result.data)
    assert again.format == fmt and len(again.getexif()) == 0 and "exif" not in again.info
    assert CAMERA.encode() not in result.data
    assert again.convert("RGB").getpixel((20, 15))[0] > 150  # the same red picture


def test_a_photo_is_turned_upright_as_its_exif_says_before_the_exif_is_dropped() -> None:
    sideways = picture("JPEG", (60, 20), exif=camera_exif(orientation=6))  # "rotate 90° to view"
    result = prepare(ICON, sideways)
    assert (result.width, result.height) == (20, 60)
    assert len(opened(result.data).getexif()) == 0


def test_a_payload_appended_to_an_image_is_not_kept() -> None:
    polyglot = picture("PNG") + PAYLOAD
    assert opened(polyglot).format == "PNG"  # still opens as a PNG
    assert PAYLOAD not in prepare(ICON, polyglot).data


@pytest.mark.parametrize(
    "data",
    [
        b"just some text, named icon.png",
        SVG,
        b"",
        picture("BMP"),
        picture("TIFF"),
        b"GIF89a" + b"\0" * 20,
    ],
    ids=["text", "svg", "empty", "bmp", "tiff", "gif-header-only"],
)
def test_anything_but_png_jpeg_gif_and_webp_is_refused(data: bytes) -> None:
    with pytest.raises(FedicomError) as refused:
        prepare(ICON, data)
    assert (refused.value.status, refused.value.reason) == (
        415,
        "the icon is not a PNG, JPEG, GIF or WebP image",
    )


def test_a_file_over_2_mib_is_refused_before_it_is_opened() -> None:
    with pytest.raises(FedicomError) as refused:
        prepare(BANNER, b"\x89PNG" + b"\0" * MAX_BYTES)
    assert (refused.value.status, refused.value.reason) == (413, "the banner is larger than 2 MiB")


@pytest.mark.parametrize(("width", "height"), [(5000, 10), (10, 4097), (30_000, 30_000)])
def test_an_image_larger_than_4096_pixels_a_side_is_refused_from_its_header(width: int, height: int) -> None:
    """30000 by 30000 is a decompression bomb: its header alone is read."""
    with pytest.raises(FedicomError) as refused:
        prepare(ICON, claiming(width, height))
    assert (refused.value.status, refused.value.reason) == (
        400,
        "the icon is larger than 4096 by 4096 pixels",
    )


def test_a_truncated_image_is_refused_as_damaged() -> None:
    whole = picture("PNG", (200, 200), color=(10, 200, 10))
    with pytest.raises(FedicomError, match="the file is damaged or incomplete"):
        prepare(ICON, whole[: len(whole) // 2])


def test_icons_are_scaled_down_to_512_and_banners_to_1920_wide() -> None:
    icon = prepare(ICON, picture("PNG", (1500, 1000)))
    banner = prepare(BANNER, picture("JPEG", (3000, 600)))
    small = prepare(BANNER, picture("PNG", (800, 200)))
    assert (icon.width, icon.height) == (512, 341)
    assert (banner.width, banner.height) == (1920, 384)
    assert (small.width, small.height) == (800, 200)  # never scaled up
    assert opened(icon.data).size == (512, 341)


def test_a_gif_keeps_its_first_frame_as_a_png() -> None:
    result = prepare(ICON, animated_gif())
    again = opened(result.data)
    assert (result.extension, again.format, getattr(again, "n_frames", 1)) == ("png", "PNG", 1)
    assert again.convert("RGB").getpixel((10, 10)) == (255, 0, 0)
