"""The Group's private key in an archive, sealed with the operator's passphrase: scrypt derives an
AES-256-GCM key, so the archive alone never gives the key away, and a wrong passphrase (or a changed
ciphertext) is refused rather than decrypted into garbage."""

from __future__ import annotations

import base64
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from fedicom.errors import BadRequest

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1  # ~32 MiB and ~0.1 s per try: slow for guessing
MAX_MEMORY = 2**28  # scrypt takes 128·n·r bytes: an archive asking for more than 256 MiB is refused
CONTEXT = b"fedicom-community-key"  # bound into the tag: the sealed text is only ever a key


class WrongPassphrase(BadRequest):
    """The passphrase does not open the sealed key."""


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode())


def seal(secret: bytes, passphrase: str) -> dict[str, Any]:
    """The secret encrypted under the passphrase, with what is needed to open it again."""
    if not passphrase:
        raise BadRequest("a passphrase is needed to export the community's key")
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return {
        "kdf": "scrypt",
        "n": SCRYPT_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "salt": base64.b64encode(salt).decode(),
        "cipher": "AES-256-GCM",
        "nonce": base64.b64encode(nonce).decode(),
        "ciphertext": base64.b64encode(AESGCM(key).encrypt(nonce, secret, CONTEXT)).decode(),
    }


def unseal(box: dict[str, Any], passphrase: str) -> bytes:
    """The secret, or WrongPassphrase; a box of another shape is refused as damaged."""
    try:
        n, r, p = int(box["n"]), int(box["r"]), int(box["p"])
        salt = base64.b64decode(box["salt"], validate=True)
        nonce = base64.b64decode(box["nonce"], validate=True)
        ciphertext = base64.b64decode(box["ciphertext"], validate=True)
        kind = (box["kdf"], box["cipher"])
    except (KeyError, TypeError, ValueError):
        raise BadRequest("the archive's sealed key is damaged") from None
    if kind != ("scrypt", "AES-256-GCM") or n < 2 or r < 1 or not 1 <= p <= 16 or 128 * n * r > MAX_MEMORY:
        raise BadRequest("the archive's key is sealed in a way this fedicom does not read")
    try:
        return AESGCM(_derive(passphrase, salt, n, r, p)).decrypt(nonce, ciphertext, CONTEXT)
    except (InvalidTag, ValueError):
        raise WrongPassphrase("the passphrase does not open the community's key in this archive") from None
