"""The relay protocol's activities as they go out: pure functions of their inputs.

LitePub/ActivityRelay: the subscriber's instance actor sends `Follow` whose object is the public
collection (Mastodon's shape, `app/lib/activitypub/activity/follow.rb`'s relay branch; activityrelay
and pub-relay accept it, Pleroma's relay follows the relay actor instead) and leaves with `Undo` that
embeds that Follow (activityrelay's `handle_undo` reads `object.type` and compares the Follow's id).
"""

from __future__ import annotations

from typing import Any

from fedicom.activitypub.jsonld import ACTIVITY_CONTEXT
from fedicom.activitypub.vocab import PUBLIC


def build_follow(follow_id: str, actor_uri: str) -> dict[str, Any]:
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": follow_id,
        "type": "Follow",
        "actor": actor_uri,
        "object": PUBLIC,
    }


def build_undo_follow(undo_id: str, follow_id: str, actor_uri: str) -> dict[str, Any]:
    follow = build_follow(follow_id, actor_uri)
    del follow["@context"]
    return {"@context": ACTIVITY_CONTEXT, "id": undo_id, "type": "Undo", "actor": actor_uri, "object": follow}
