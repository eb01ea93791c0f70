"""The Person actor of a staff member, as Lemmy and Mastodon read it. Pure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fedicom.activitypub.jsonld import ACTOR_CONTEXT


def build_person(
    *, base_url: str, uri: str, username: str, display_name: str, public_key_pem: str, published: datetime
) -> dict[str, Any]:
    return {
        "@context": ACTOR_CONTEXT,
        "type": "Person",
        "id": uri,
        "preferredUsername": username,
        "name": display_name or username,
        "inbox": f"{uri}/inbox",
        "outbox": f"{uri}/outbox",
        "endpoints": {"sharedInbox": f"{base_url}/inbox"},
        "url": uri,
        "manuallyApprovesFollowers": True,
        "discoverable": False,
        "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": public_key_pem},
        "published": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
