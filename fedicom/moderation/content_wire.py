"""The wire shapes of content moderation, as Lemmy sends and reads them (federation.md §2.5). Pure.

Each is sent as a moderator's Person and announced by the group, which is what Lemmy requires: a
moderator on the community's own domain is trusted for the community (§2.7). Addressing follows
Lemmy: the Public collection in `to` (its visibility check reads `to` only), the group in `cc` and
`audience`; a private community never names the Public collection.
"""

from __future__ import annotations

from typing import Any

from fedicom.activitypub.jsonld import ACTIVITY_CONTEXT
from fedicom.activitypub.vocab import PUBLIC, now_iso


def _addressed(group_uri: str, private: bool, *, group_in_to: bool = False) -> dict[str, Any]:
    to = [group_uri] if private or group_in_to else []
    if not private:
        to.append(PUBLIC)
    return {"to": to, "cc": [group_uri], "audience": group_uri}


def build_remove(
    *, activity_uri: str, actor: str, object_uri: str, group_uri: str, reason: str, private: bool
) -> dict[str, Any]:
    """A moderator's removal: `Delete` with `summary` (without one it would be the author's deletion)."""
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": "Delete",
        "actor": actor,
        "object": object_uri,
        **_addressed(group_uri, private),
        "summary": reason,
        "published": now_iso(),
    }


def build_lock(
    *, activity_uri: str, actor: str, object_uri: str, group_uri: str, reason: str, private: bool
) -> dict[str, Any]:
    """`Lock` of a thread (Lemmy 1.0 also locks comments): no new replies."""
    doc: dict[str, Any] = {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": "Lock",
        "actor": actor,
        "object": object_uri,
        **_addressed(group_uri, private, group_in_to=True),
        "published": now_iso(),
    }
    if reason:
        doc["summary"] = reason
    return doc


def build_featured(
    kind: str, *, activity_uri: str, actor: str, object_uri: str, group_uri: str, private: bool
) -> dict[str, Any]:
    """`Add` (pin) or `Remove` (unpin) of a thread with the group's `featured` collection as target."""
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": kind,
        "actor": actor,
        "object": object_uri,
        "target": f"{group_uri}/featured",
        **_addressed(group_uri, private),
        "published": now_iso(),
    }


def build_update_group(
    *, activity_uri: str, actor: str, group_doc: dict[str, Any], group_uri: str, private: bool
) -> dict[str, Any]:
    """`Update` of the Group sent as a moderator: Lemmy refuses it from the Group itself (§2.5)."""
    embedded = {k: v for k, v in group_doc.items() if k != "@context"}
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": "Update",
        "actor": actor,
        "object": embedded,
        **_addressed(group_uri, private),
        "published": now_iso(),
    }


def build_undo(*, activity_uri: str, actor: str, undone: dict[str, Any], reason: str = "") -> dict[str, Any]:
    """`Undo` of one of our activities, embedded as sent (restore, unlock), addressed as it was."""
    inner = {k: v for k, v in undone.items() if k != "@context"}
    doc: dict[str, Any] = {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": "Undo",
        "actor": actor,
        "object": inner,
        "published": now_iso(),
    }
    for key in ("to", "cc", "audience"):
        if key in inner:
            doc[key] = inner[key]
    if reason:
        doc["summary"] = reason
    return doc
