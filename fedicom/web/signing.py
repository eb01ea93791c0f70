"""Keys derived from FEDICOM_SECRET_KEY, one per purpose, so a value signed for one use (a CSRF token,
a notice, an import's confirmation) is never accepted for another."""

from __future__ import annotations

import hashlib
import hmac


def purpose_key(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"fedicom {purpose}\0".encode() + secret.encode()).digest()


def mac(key: bytes, message: bytes) -> str:
    """HMAC-SHA256 of `message`, as hex."""
    return hmac.new(key, message, hashlib.sha256).hexdigest()
