"""The wire shapes of a community: its Group actor and its collections. Pure builders.

Field choices follow what Mastodon and Lemmy read (federation.md §5.2, §2.1 to 2.2): collections are
inline and unpaged where Lemmy needs them (it never follows `first`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fedicom.activitypub.jsonld import ACTIVITY_CONTEXT, ACTOR_CONTEXT
from fedicom.groups.text import render_markdown


def group_uri(base_url: str, name: str) -> str:
    return f"{base_url}/c/{name}"


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_group_actor(
    *,
    base_url: str,
    domain: str,
    name: str,
    title: str,
    summary: str,
    rules: str,
    privacy_policy: str,
    private: bool,
    posting_policy: str,
    sensitive: bool,
    discoverable: bool,
    public_key_pem: str,
    published: datetime,
    updated: datetime,
    icon_url: str | None = None,
    image_url: str | None = None,
    also_known_as: list[str] | None = None,
    moved_to: str | None = None,
) -> dict[str, Any]:
    """The Group actor document (summary HTML from the markdown source, rules and policy included;
    `alsoKnownAs` lists its aliases, the accounts whose followers may move here)."""
    uri = group_uri(base_url, name)
    summary_md = summary
    if rules:
        summary_md += f"\n\n## Rules\n\n{rules}"
    doc: dict[str, Any] = {
        "@context": ACTOR_CONTEXT,
        "type": "Group",
        "id": uri,
        "preferredUsername": name,
        "name": title,
        "summary": render_markdown(summary_md),
        "source": {"content": summary_md, "mediaType": "text/markdown"},
        "mediaType": "text/html",
        "url": uri,
        "webfinger": f"{name}@{domain}",
        "inbox": f"{uri}/inbox",
        "outbox": f"{uri}/outbox",
        "followers": f"{uri}/followers",
        "featured": f"{uri}/featured",
        "attributedTo": f"{uri}/moderators",
        "moderators": f"{uri}/moderators",
        "endpoints": {"sharedInbox": f"{base_url}/inbox"},
        "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": public_key_pem},
        "manuallyApprovesFollowers": private,
        "discoverable": discoverable,
        "indexable": discoverable and not private,
        "postingRestrictedToMods": posting_policy == "moderators",
        "sensitive": sensitive,
        "rules": [{"type": "Note", "content": render_markdown(rules)}] if rules else [],
        "attachment": _attachments(uri, rules, privacy_policy),
        "published": _iso(published),
        "updated": _iso(updated),
    }
    if also_known_as:
        doc["alsoKnownAs"] = also_known_as
    if moved_to:
        doc["movedTo"] = moved_to  # FEP-7628: where the community went (Mastodon, Misskey read it)
    if privacy_policy:
        doc["privacyPolicy"] = build_privacy_policy(uri, privacy_policy)
    if icon_url:
        doc["icon"] = {"type": "Image", "url": icon_url}
    if image_url:
        doc["image"] = {"type": "Image", "url": image_url}
    return doc


def privacy_uri(group: str) -> str:
    """Where a community's privacy policy is a page (and, asked for as ActivityPub, a Note)."""
    return f"{group}/privacy"


def build_privacy_policy(group: str, policy: str) -> dict[str, Any]:
    """The policy as a Note: embedded in the actor, and answered on its own at its URL."""
    url = privacy_uri(group)
    return {"id": url, "type": "Note", "content": render_markdown(policy), "url": url, "attributedTo": group}


def _attachments(uri: str, rules: str, privacy_policy: str) -> list[dict[str, Any]]:
    """Profile fields, so Mastodon shows links to the rules and the privacy policy."""
    fields = []
    if rules:
        fields.append(_field("Rules", f"{uri}#rules"))
    if privacy_policy:
        fields.append(_field("Privacy policy", privacy_uri(uri)))
    return fields


def _field(name: str, href: str) -> dict[str, Any]:
    value = f'<a href="{href}" rel="nofollow noopener noreferrer" target="_blank">{href}</a>'
    return {"type": "PropertyValue", "name": name, "value": value}


def build_followers(uri: str, total: int) -> dict[str, Any]:
    """Only the count is published, as Lemmy does (members' identities stay private)."""
    return {"@context": ACTIVITY_CONTEXT, "id": uri, "type": "Collection", "totalItems": total, "items": []}


def build_ordered(uri: str, items: list[Any], total: int | None = None) -> dict[str, Any]:
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": uri,
        "type": "OrderedCollection",
        "totalItems": len(items) if total is None else total,
        "orderedItems": items,
    }


def build_outbox(uri: str, items: list[dict[str, Any]], total: int, page_size: int) -> dict[str, Any]:
    """The outbox: the newest page inline (for Lemmy) plus `first`/`last` links for paging readers."""
    doc = build_ordered(uri, items, total)
    doc["first"] = f"{uri}?page=1"
    doc["last"] = f"{uri}?page={max(1, -(-total // page_size))}"
    return doc


def build_outbox_page(uri: str, page: int, items: list[Any], total: int, page_size: int) -> dict[str, Any]:
    """One page of a paged collection: the outbox's, and a conversation's replies and context."""
    doc: dict[str, Any] = {
        "@context": ACTIVITY_CONTEXT,
        "id": f"{uri}?page={page}",
        "type": "OrderedCollectionPage",
        "partOf": uri,
        "totalItems": total,
        "orderedItems": items,
    }
    if page > 1:
        doc["prev"] = f"{uri}?page={page - 1}"
    if page * page_size < total:
        doc["next"] = f"{uri}?page={page + 1}"
    return doc
