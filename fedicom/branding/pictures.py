"""The logo and the favicon: checked and re-encoded from their pixels like community icons
(groups/images.py), so nothing but pixels of a known size is ever served.

A favicon may come as PNG or ICO (what icon tools export); an ICO's largest picture is taken and stored
as PNG, which every browser shows, under /media/ and at /favicon.ico.
"""

from __future__ import annotations

import io

from PIL import Image

from fedicom.errors import BadRequest, PayloadTooLarge
from fedicom.groups.images import MAX_BYTES, Kind, Picture, prepare

LOGO = Kind("logo", (1200, 240))  # shown 48 pixels high, sharp on screens of three times the density
FAVICON = Kind("favicon", (256, 256))
ICO_MAX_SIDE = 256  # what the format can describe
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ICO_SIGNATURE = b"\x00\x00\x01\x00"


def prepare_logo(data: bytes) -> Picture:
    """A PNG, JPEG, GIF or WebP logo, re-encoded; 413 or 415 with the reason otherwise."""
    return prepare(LOGO, data)


def prepare_favicon(data: bytes) -> Picture:
    """A PNG or ICO favicon, re-encoded as PNG."""
    if len(data) > MAX_BYTES:
        raise PayloadTooLarge("the favicon is larger than 2 MiB")
    if data.startswith(ICO_SIGNATURE):
        data = _ico_as_png(data)
    elif not data.startswith(PNG_SIGNATURE):
        raise BadRequest("the favicon is not a PNG or ICO image", status=415)
    return prepare(FAVICON, data)  # a PNG stays a PNG


def _ico_as_png(data: bytes) -> bytes:
    """The largest picture of an ICO file, as PNG bytes for `prepare` to check and re-encode."""
    damaged = BadRequest("the favicon could not be read: the ICO file is damaged or incomplete")
    try:
        source = Image.open(io.BytesIO(data), formats=["ICO"])
        if source.width > ICO_MAX_SIDE or source.height > ICO_MAX_SIDE:
            raise damaged
        source.load()
        out = io.BytesIO()
        source.convert("RGBA").save(out, "PNG")
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise damaged from None
    return out.getvalue()
