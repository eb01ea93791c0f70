"""Pictures staff attach to their posts, stored like community icons: checked by their bytes, re-encoded
from their pixels (groups/images.py), kept in the media store (media/store.py) by content hash and served at
`/media/FILE` by this server, with the description the staff member wrote as alt text.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from fedicom.errors import BadRequest
from fedicom.groups.images import Kind, media_url, prepare
from fedicom.media.attachments import MAX_ALT
from fedicom.media.store import FileStore, keep

PICTURE = Kind("picture", (2048, 2048), max_bytes=8 * 1024 * 1024, max_side=12_000, max_pixels=40_000_000)


@dataclass(frozen=True)
class StoredPicture:
    url: str  # absolute: it goes out in the post's `attachment`
    media_type: str
    width: int
    height: int
    alt: str

    def attachment(self) -> dict[str, Any]:
        """The post's `attachment` entry, in the shape Mastodon sends and every program reads."""
        found: dict[str, Any] = {
            "type": "Document",
            "mediaType": self.media_type,
            "url": self.url,
            "width": self.width,
            "height": self.height,
        }
        if self.alt:
            found["name"] = self.alt
        return found


async def store_picture(data: bytes, alt: str, *, files: FileStore, base_url: str) -> StoredPicture:
    """Check, re-encode and store an uploaded picture; BadRequest (or 413, 415) says what is wrong."""
    alt = " ".join(alt.split())
    if len(alt) > MAX_ALT:
        raise BadRequest(f"the description is longer than {MAX_ALT} characters")
    picture = await asyncio.to_thread(prepare, PICTURE, data)
    filename = await keep(files, picture)
    return StoredPicture(
        media_url(base_url, filename), picture.content_type, picture.width, picture.height, alt
    )
