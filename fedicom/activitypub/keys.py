"""Keys of local actors: created once per actor, kept in the database, cached parsed in memory."""

from __future__ import annotations

import asyncio

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from fedicom.activitypub.models import SigningKey
from fedicom.activitypub.signatures import generate_key_pem, load_private_key


def key_id_for(owner: str) -> str:
    return f"{owner}#main-key"


class KeyStore:
    """Hands out (key_id, private key) pairs for signing; parsing a PEM costs more than a signature."""

    def __init__(self) -> None:
        self._signers: dict[str, tuple[str, RSAPrivateKey]] = {}
        self._public: dict[str, str] = {}
        self._lock = asyncio.Lock()

    async def ensure(self, owner: str) -> SigningKey:
        """The owner's key, generated on first use (RSA 2048, as Mastodon and Lemmy expect)."""
        key = await SigningKey.get_or_none(owner=owner)
        if key is None:
            private_pem, public_pem = await asyncio.to_thread(generate_key_pem)
            key, _ = await SigningKey.get_or_create(
                owner=owner,
                defaults={"key_id": key_id_for(owner), "private_pem": private_pem, "public_pem": public_pem},
            )
        return key

    async def signer(self, owner: str) -> tuple[str, RSAPrivateKey]:
        """Loaded once per owner even when a fan-out asks for it from many tasks at once."""
        cached = self._signers.get(owner)
        if cached is not None:
            return cached
        async with self._lock:
            cached = self._signers.get(owner)
            if cached is None:
                key = await self.ensure(owner)
                cached = (
                    key.key_id,
                    await asyncio.to_thread(load_private_key, key.private_pem, trusted=True),
                )
                self._signers[owner] = cached
        return cached

    async def public_pem(self, owner: str) -> str:
        pem = self._public.get(owner)
        if pem is None:
            pem = (await self.ensure(owner)).public_pem
            self._public[owner] = pem
        return pem
