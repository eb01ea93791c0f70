"""The wire shapes of a conversation: a post's address, its `replies` and `context` collections. Pure.

A post's page (`/c/NAME/p/N`) is also where ActivityPub readers find it. The context collection is
FEP-7888's resolvable `context` in the shape FEP-f228 calls a "collection of posts" (what NodeBB
reads to backfill a topic): every post of the conversation by id, oldest first, the thread first.
"""

from __future__ import annotations

from typing import Any

from fedicom.activitypub.jsonld import ACTIVITY_CONTEXT
from fedicom.groups.actor import group_uri


def post_uri(base_url: str, name: str, post_id: int) -> str:
    """The page of a post, which is also the object id of a post written here (by staff)."""
    return f"{group_uri(base_url, name)}/p/{post_id}"


def replies_uri(object_uri: str) -> str:
    return f"{object_uri}/replies"


def context_uri(thread_uri: str) -> str:
    """A conversation is named after its thread's page: every reply's `context` points here."""
    return f"{thread_uri}/context"


def build_paged(uri: str, total: int, page_size: int, **fields: Any) -> dict[str, Any]:
    """An OrderedCollection that only links its pages.

    No items inline: NodeBB reads inline items and then follows `first` as well, so it would take the
    first page twice; Mastodon follows `first` whenever it is present.
    """
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": uri,
        "type": "OrderedCollection",
        **fields,
        "totalItems": total,
        "first": f"{uri}?page=1",
        "last": f"{uri}?page={max(1, -(-total // page_size))}",
    }


def build_replies(object_uri: str, total: int, page_size: int) -> dict[str, Any]:
    """The direct replies of a post (Mastodon 4.4+ walks these to fetch a whole thread)."""
    return build_paged(replies_uri(object_uri), total, page_size)


def build_context(thread_uri: str, group: str, total: int, page_size: int) -> dict[str, Any]:
    """A conversation: the group is its authority (FEP-7888 `attributedTo`) and its audience."""
    return build_paged(context_uri(thread_uri), total, page_size, attributedTo=group, audience=group)


def build_tombstone(uri: str, former_type: str) -> dict[str, Any]:
    """What a deleted post's address answers, with 410, so servers drop their copy."""
    return {"@context": ACTIVITY_CONTEXT, "id": uri, "type": "Tombstone", "formerType": former_type}
