"""Simulated remote members: their keys, actor documents and the activities they send, pre-signed.

Signing is the sender's cost, not the server's, so every request body and header set is built
before a clock starts.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from fedicom.activitypub.signatures import generate_key_pem, load_private_key, sign_request

AS = "https://www.w3.org/ns/activitystreams"
PUBLIC = f"{AS}#Public"
LOREM = (
    "Benchmarks measure what the code does, not what it was meant to do. This note is about as long as "
    "a typical community post: a title-like first line, two or three sentences and a link to "
    '<a href="https://example.org/article">an article</a>.'
)


@dataclass(frozen=True)
class KeyPair:
    private_pem: str
    public_pem: str
    private_key: RSAPrivateKey = field(compare=False, repr=False)


def make_keys(count: int) -> list[KeyPair]:
    """`count` distinct RSA-2048 key pairs (about 50 ms each)."""
    pairs = []
    for _ in range(count):
        private_pem, public_pem = generate_key_pem()
        pairs.append(KeyPair(private_pem, public_pem, load_private_key(private_pem)))
    return pairs


@dataclass
class SimActor:
    """A Person on a simulated server, with a shared inbox on that server."""

    base: str
    name: str
    keys: KeyPair

    @property
    def uri(self) -> str:
        return f"{self.base}/users/{self.name}"

    @property
    def key_id(self) -> str:
        return f"{self.uri}#main-key"

    @property
    def inbox(self) -> str:
        return f"{self.uri}/inbox"

    @property
    def shared_inbox(self) -> str:
        return f"{self.base}/inbox"

    def document(self) -> dict[str, Any]:
        return {
            "@context": [AS, "https://w3id.org/security/v1"],
            "id": self.uri,
            "type": "Person",
            "preferredUsername": self.name,
            "name": self.name.title(),
            "inbox": self.inbox,
            "outbox": f"{self.uri}/outbox",
            "followers": f"{self.uri}/followers",
            "endpoints": {"sharedInbox": self.shared_inbox},
            "publicKey": {"id": self.key_id, "owner": self.uri, "publicKeyPem": self.keys.public_pem},
        }

    def document_path(self) -> str:
        return f"/users/{self.name}"


def _iso_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def note(author: SimActor, group_uri: str, n: int) -> dict[str, Any]:
    """A public thread-starting Note addressed to the group (Lemmy/Mastodon shape)."""
    return {
        "id": f"{author.base}/objects/{uuid.uuid4()}",
        "type": "Note",
        "attributedTo": author.uri,
        "name": f"Benchmark post {n}",
        "content": f"<p>Post {n}. {LOREM}</p>",
        "to": [PUBLIC],
        "cc": [group_uri],
        "audience": group_uri,
        "published": _iso_now(),
    }


def create(author: SimActor, obj: dict[str, Any], group_uri: str) -> dict[str, Any]:
    return {
        "@context": AS,
        "id": f"{author.base}/activities/{uuid.uuid4()}",
        "type": "Create",
        "actor": author.uri,
        "to": [PUBLIC],
        "cc": [group_uri],
        "object": obj,
    }


def update(author: SimActor, obj: dict[str, Any], group_uri: str) -> dict[str, Any]:
    """The author's edit of `obj` (same id, new content)."""
    edited = {**obj, "content": obj["content"].replace("<p>Post", "<p>Edited post", 1), "updated": _iso_now()}
    return {
        "@context": AS,
        "id": f"{author.base}/activities/{uuid.uuid4()}",
        "type": "Update",
        "actor": author.uri,
        "to": [PUBLIC],
        "cc": [group_uri],
        "object": edited,
    }


@dataclass(frozen=True)
class SignedPost:
    """A request ready to send: the body and every header, signed."""

    url: str
    body: bytes
    headers: dict[str, str]


def presign(author: SimActor, url: str, activity: dict[str, Any]) -> SignedPost:
    body = json.dumps(activity, separators=(",", ":")).encode()
    headers = sign_request(
        method="POST", url=url, body=body, key_id=author.key_id, private_key=author.keys.private_key
    )
    return SignedPost(url, body, headers)
