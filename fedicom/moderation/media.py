"""reject_media: fedicom keeps no reference to a server's attachments when a block says so.

What fedicom keeps is the post's object, whose `attachment`, `image` and `icon` point at the author's
server. With reject_media those are dropped from the stored copy (so pages and the API never show
them); posts stored before the block are withheld by the media proxy and the pages (media/shown.py).
The Announce still wraps the activity as received: its signature must keep verifying, and each
receiving server applies its own policy.
"""

from __future__ import annotations

from typing import Any

from fedicom.activitypub.vocab import host_of, id_of
from fedicom.groups.hooks import ServerPolicy
from fedicom.groups.models import Post

MEDIA_FIELDS = ("attachment", "image", "icon")


def without_media(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in MEDIA_FIELDS}


async def drop_rejected_media(defed: ServerPolicy, activity: dict[str, Any]) -> int:
    """After a Create or Update is stored: strip media from the posts of a reject_media server."""
    obj = activity.get("object")
    object_id = id_of(obj)
    author = id_of(activity.get("actor"))
    if not object_id or not author:
        return 0
    if isinstance(obj, dict) and not any(f in obj for f in MEDIA_FIELDS):
        return 0  # nothing to strip (most posts): no lookup (a fetched object is looked up)
    stripped = 0
    for post in await Post.filter(object_id=object_id, author=author):
        if any(f in post.document for f in MEDIA_FIELDS) and await defed.rejects_media(
            host_of(author),
            post.group_id,  # type: ignore[attr-defined]
        ):
            post.document = without_media(post.document)
            await post.save(update_fields=["document"])
            stripped += 1
    return stripped
