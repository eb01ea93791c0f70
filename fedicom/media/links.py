"""Same-origin addresses of members' media: `/media/p/POST/MAC/VARIANT`, and `/media/a/MAC/ACTOR`
for the avatar of a remote account (ACTOR: its id, base64url).

The MAC (HMAC-SHA256 with a key derived from FEDICOM_SECRET_KEY) binds the post and the remote URL, and
only pages that show a stored post sign its media, so the proxy fetches nothing else: it is not an open
proxy, and a link stops working when the post loses that attachment. The remote URL is not in the
address at all; the proxy reads it from the stored post.
"""

from __future__ import annotations

import base64
import binascii
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
    AVATAR = "avatar"  # an account's picture, beside its name


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

    def avatar_mac(self, actor: str, url: str) -> str:
        message = f"avatar\n{actor}\n{url}".encode()  # never a post's message, which starts with its number
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:MAC_HEX]

    def avatar_path(self, actor: str, url: str) -> str:
        """The address of an account's avatar: the MAC binds the account and its picture's URL, so the
        link stops working when the account changes its picture."""
        encoded = base64.urlsafe_b64encode(actor.encode()).decode().rstrip("=")
        return f"/media/a/{self.avatar_mac(actor, url)}/{encoded}"

    def avatar_matches(self, actor: str, url: str, mac: str) -> bool:
        return hmac.compare_digest(self.avatar_mac(actor, url), mac)


def actor_of(encoded: str) -> str | None:
    """The account id an avatar address names, or None when it is not one."""
    if len(encoded) > 1400:
        return None
    try:
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
