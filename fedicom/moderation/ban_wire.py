"""The wire shape of a ban: Lemmy's `Block` with `target`. A pure builder and a parser (the ban is
lifted with content_wire's `build_undo` of the Block, addressed as the Block was).

Shape of `lemmy/activities/block/block_user.json` (federation.md §2.5): `to`, `cc` and `target` are
required by Lemmy; 0.19 reads `expires` before `endTime`, 1.0 only `endTime`, so both are sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fedicom.activitypub.jsonld import ACTIVITY_CONTEXT
from fedicom.activitypub.vocab import PUBLIC, id_of
from fedicom.errors import BadRequest
from fedicom.moderation.expiry import read_time, wire_time


def build_block(
    *,
    activity_uri: str,
    moderator: str,
    banned: str,
    target: str,
    community: str | None,
    reason: str,
    remove_data: bool,
    expires: datetime | None,
) -> dict[str, Any]:
    """A ban of `banned` from `target` (a community, or the instance actor for an instance-wide ban)."""
    doc: dict[str, Any] = {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": "Block",
        "actor": moderator,
        "object": banned,
        "target": target,
        "to": [PUBLIC],
        "cc": [community] if community else [],
        "removeData": remove_data,
        "summary": reason,
    }
    if community:
        doc["audience"] = community
    if expires is not None:
        doc["endTime"] = doc["expires"] = wire_time(expires)
    return doc


@dataclass(frozen=True)
class BanOrder:
    """What a received Block asks for."""

    moderator: str
    banned: str
    target: str
    reason: str
    remove_data: bool
    expires: datetime | None


def parse_block(block: Any) -> BanOrder | None:
    """The ban a Block describes, or None for a Block without `target` (a person blocking someone,
    as Mastodon sends it, is no ban)."""
    if not isinstance(block, dict) or block.get("type") != "Block":
        raise BadRequest("the activity is not a Block")
    target = id_of(block.get("target"))
    if not target:
        return None
    moderator, banned = id_of(block.get("actor")), id_of(block.get("object"))
    if not moderator or not banned:
        raise BadRequest("the Block names no actor or no banned account")
    summary = block.get("summary")
    return BanOrder(
        moderator=moderator,
        banned=banned,
        target=target,
        reason=summary if isinstance(summary, str) else "",
        remove_data=block.get("removeData") is True,
        expires=read_time(block.get("expires")) or read_time(block.get("endTime")),
    )
