"""Community icons and banners (and, through `Kind`, staff pictures and members' proxied media): an
upload is judged by its bytes (never its name or declared type),
decoded only when its header says it is small enough, and re-encoded from its pixels alone, so no
metadata (EXIF, GPS, ICC, comments) nor anything appended to the file survives. Files are kept in the
media store (media/store.py), named by the hash of their content, and never change once written.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass

from PIL import Image, ImageOps

from fedicom.errors import BadRequest, PayloadTooLarge

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4096  # larger images are refused before a pixel of them is decoded
ACCEPTED = ("PNG", "JPEG", "GIF", "WEBP")
MEDIA_FOLDER = "media"
# what each format read is saved as: a GIF keeps its first frame, as a PNG; MPO is a camera's JPEG
OUTPUT = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG", "GIF": "PNG", "WEBP": "WEBP"}
EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
FILENAME_RE = re.compile(r"^[0-9a-f]{64}\.(png|jpg|webp)$")


@dataclass(frozen=True)
class Kind:
    """What an image is for: its name in messages, the box it is scaled down to fit, and the limits
    checked before a pixel of it is decoded (bytes, side, and pixels against decompression bombs)."""

    label: str
    box: tuple[int, int]
    max_bytes: int = MAX_BYTES
    max_side: int = MAX_SIDE
    max_pixels: int = MAX_SIDE * MAX_SIDE


ICON = Kind("icon", (512, 512))
BANNER = Kind("banner", (1920, MAX_SIDE))


@dataclass(frozen=True)
class Picture:
    """A re-encoded image, ready to be stored."""

    data: bytes
    extension: str
    width: int
    height: int

    @property
    def filename(self) -> str:
        return f"{hashlib.sha256(self.data).hexdigest()}.{self.extension}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]


def prepare(kind: Kind, data: bytes) -> Picture:
    """The upload checked and re-encoded, or the error saying why not (413 too big, 415 not an image)."""
    if len(data) > kind.max_bytes:
        raise PayloadTooLarge(f"the {kind.label} is larger than {_size(kind.max_bytes)}")
    not_an_image = BadRequest(f"the {kind.label} is not a PNG, JPEG, GIF or WebP image", status=415)
    too_large = BadRequest(f"the {kind.label} is larger than {kind.max_side} by {kind.max_side} pixels")
    try:
        source = Image.open(io.BytesIO(data), formats=ACCEPTED)  # reads the header only
    except Image.DecompressionBombError:
        raise too_large from None
    except (OSError, SyntaxError, ValueError):  # UnidentifiedImageError is an OSError
        raise not_an_image from None
    if source.format not in OUTPUT:
        raise not_an_image
    if source.width > kind.max_side or source.height > kind.max_side:
        raise too_large
    if source.width * source.height > kind.max_pixels:
        raise BadRequest(f"the {kind.label} has more than {kind.max_pixels // 1_000_000} million pixels")
    side = max(kind.box)
    source.draft(None, (side, side))  # a large JPEG is decoded at the smallest scale still big enough
    try:
        pixels = _pixels(source)
    except (OSError, SyntaxError, ValueError, EOFError):
        raise BadRequest(f"the {kind.label} could not be read: the file is damaged or incomplete") from None
    pixels.thumbnail(kind.box, Image.Resampling.LANCZOS)
    out_format = OUTPUT[source.format]
    buffer = io.BytesIO()
    if out_format == "JPEG":
        pixels.save(buffer, "JPEG", quality=88, optimize=True)
    elif out_format == "WEBP":
        pixels.save(buffer, "WEBP", quality=88)
    else:
        pixels.save(buffer, "PNG", optimize=True)
    return Picture(buffer.getvalue(), EXTENSIONS[out_format], pixels.width, pixels.height)


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit % (1024 * 1024) == 0 else f"{limit} bytes"


def _pixels(source: Image.Image) -> Image.Image:
    """The first frame, turned upright as its EXIF says, as a new image holding nothing but pixels."""
    source.seek(0)
    upright = ImageOps.exif_transpose(source)
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    rgb = upright.convert("RGBA" if has_alpha else "RGB")
    return Image.frombytes(rgb.mode, rgb.size, rgb.tobytes())


def media_url(base_url: str, filename: str) -> str:
    return f"{base_url}/{MEDIA_FOLDER}/{filename}"
