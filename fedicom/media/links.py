"""Same-origin addresses of members' media: `/media/p/POST/MAC/VARIANT`.

The MAC (HMAC-SHA256 with a key derived from FEDICOM_SECRET_KEY) binds the post and the remote URL, and
only pages that show a stored post sign its media, so the proxy fetches nothing else: it is not an open
proxy, and a link stops working when the post loses that attachment. The remote URL is not in the
address at all; the proxy reads it from the stored post.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from enum import StrEnum

MAC_HEX = 32  # 128 bits
MAC_RE = re.compile(r"[0-9a-f]{32}")


class Variant(StrEnum):
    """The sizes a picture is served in: on a thread page, and as a thumbnail in a community's list."""

    FULL = "full"
    THUMB = "thumb"


class MediaLinks:
    def __init__(self, secret: str) -> None:
        # a key of its own: a MAC made for media is never a valid CSRF token or notice, nor the reverse
        self._key = hashlib.sha256(b"fedicom media proxy\0" + secret.encode()).digest()

    def mac(self, post_id: int, url: str) -> str:
        message = f"{post_id}\n{url}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:MAC_HEX]

    def matches(self, post_id: int, url: str, mac: str) -> bool:
        return hmac.compare_digest(self.mac(post_id, url), mac)

    def path(self, post_id: int, url: str, variant: Variant = Variant.FULL) -> str:
        return self.paths(post_id, url, (variant,))[0]

    def paths(self, post_id: int, url: str, variants: tuple[Variant, ...]) -> list[str]:
        """The addresses of one picture in several sizes (one MAC for all)."""
        mac = self.mac(post_id, url)
        return [f"/media/p/{post_id}/{mac}/{variant}" for variant in variants]
