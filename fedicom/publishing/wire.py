"""The wire shapes of what staff publish: Page threads and Note replies as Lemmy sends them, which
Mastodon also reads, and the author's Create, Update and Delete. Pure builders.

Shapes follow Lemmy's `create_page` and `create_comment` (federation.md §2.3): the community in `to`
and `audience`, the link as a `Link` attachment after the images, `language` as Lemmy's
{identifier, name} plus `contentMap` for Mastodon, a content warning as `summary` with `sensitive`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fedicom.activitypub.jsonld import ACTIVITY_CONTEXT
from fedicom.activitypub.vocab import PUBLIC


@dataclass(frozen=True)
class Picture:
    """An image stored on this server, with the alt text its author wrote."""

    url: str
    media_type: str
    alt: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Mention:
    href: str
    name: str  # "@user@host", as Mastodon and Lemmy write it


@dataclass(frozen=True)
class Addressing:
    """Where a community's object goes: the community (public or its followers only) plus mentions."""

    group_uri: str
    private: bool
    mentioned: tuple[str, ...] = ()

    @property
    def to(self) -> list[str]:
        return [self.group_uri, f"{self.group_uri}/followers" if self.private else PUBLIC]

    @property
    def cc(self) -> list[str]:
        return list(self.mentioned)


@dataclass(frozen=True)
class Content:
    """What the author wrote, rendered: Markdown source and its sanitized HTML."""

    source: str
    html: str
    title: str | None = None  # threads only
    link: str | None = None
    pictures: tuple[Picture, ...] = ()
    warning: str | None = None  # a content warning: the post is sensitive, shown behind it
    language: tuple[str, str] | None = None  # (code, name)


def iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def conversation_links(object_id: str, thread_id: str) -> dict[str, str]:
    """The collections of a post of ours: its direct replies, and its whole conversation (FEP-7888)."""
    return {"replies": f"{object_id}/replies", "context": f"{thread_id}/context"}


def build_object(
    *,
    object_id: str,
    author: str,
    to: Addressing,
    content: Content,
    published: datetime,
    thread_id: str,
    in_reply_to: str | None = None,
    mentions: tuple[Mention, ...] = (),
    updated: datetime | None = None,
    kind: str | None = None,
    distinguished: bool = False,
) -> dict[str, Any]:
    """A thread (`Page`, with a title) or a reply (`Note`, with `inReplyTo`); a moderator's reply may be
    `distinguished`, which Lemmy shows pinned atop the comments, marked as the moderators' word."""
    obj: dict[str, Any] = {
        "id": object_id,
        "type": kind or ("Note" if in_reply_to else "Page"),
        "attributedTo": author,
        "to": to.to,
        "cc": to.cc,
        "audience": to.group_uri,
        "content": content.html,
        "mediaType": "text/html",
        "source": {"content": content.source, "mediaType": "text/markdown"},
        "url": object_id,
        "sensitive": content.warning is not None,
        "published": iso(published),
        **conversation_links(object_id, thread_id),
    }
    if content.title is not None and not in_reply_to:
        obj["name"] = content.title
    if in_reply_to:
        obj["inReplyTo"] = in_reply_to
    if content.warning:
        obj["summary"] = content.warning
    if content.language:
        code, name = content.language
        obj["language"] = {"identifier": code, "name": name}
        obj["contentMap"] = {code: content.html}
    attachments = [_image(p) for p in content.pictures]
    if content.link:
        attachments.append({"type": "Link", "href": content.link, "mediaType": "text/html"})
    if attachments:
        obj["attachment"] = attachments
    if content.pictures:
        obj["image"] = {"type": "Image", "url": content.pictures[0].url}
    if mentions:
        obj["tag"] = [{"type": "Mention", "href": m.href, "name": m.name} for m in mentions]
    if updated is not None:
        obj["updated"] = iso(updated)
    if distinguished and in_reply_to:
        obj["distinguished"] = True
    return obj


def _image(picture: Picture) -> dict[str, Any]:
    image: dict[str, Any] = {
        "type": "Image",
        "url": picture.url,
        "mediaType": picture.media_type,
        "name": picture.alt,
    }
    if picture.width and picture.height:
        image["width"], image["height"] = picture.width, picture.height
    return image


def build_activity(
    kind: str, *, activity_id: str, obj: dict[str, Any], published: datetime
) -> dict[str, Any]:
    """The author's Create or Update of an object, addressed as the object is."""
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_id,
        "type": kind,
        "actor": obj["attributedTo"],
        "to": obj["to"],
        "cc": obj["cc"],
        "audience": obj["audience"],
        "object": obj,
        "published": iso(published),
    }


def build_delete(*, activity_id: str, actor: str, object_id: str, to: Addressing) -> dict[str, Any]:
    """The author's Delete: Lemmy reads the object id, Mastodon a Tombstone with that id (both work
    with the Tombstone form)."""
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_id,
        "type": "Delete",
        "actor": actor,
        "to": to.to,
        "cc": to.cc,
        "audience": to.group_uri,
        "object": {"id": object_id, "type": "Tombstone"},
    }


def build_question(
    *,
    object_id: str,
    author: str,
    to: Addressing,
    question: str,
    options: tuple[str, ...],
    multiple: bool,
    closes: datetime,
    published: datetime,
) -> dict[str, Any]:
    """A poll as Mastodon sends one: the question as `content`, options under `oneOf` (single choice)
    or `anyOf` (several), each with its count in `replies.totalItems`."""
    html = f"<p>{escape_text(question)}</p>"
    return {
        "id": object_id,
        "type": "Question",
        "attributedTo": author,
        "to": to.to,
        "cc": to.cc,
        "audience": to.group_uri,
        "content": html,
        "mediaType": "text/html",
        "source": {"content": question, "mediaType": "text/markdown"},
        "url": object_id,
        "sensitive": False,
        "published": iso(published),
        "endTime": iso(closes),
        "votersCount": 0,
        "anyOf" if multiple else "oneOf": [
            {"type": "Note", "name": name, "replies": {"type": "Collection", "totalItems": 0}}
            for name in options
        ],
        **conversation_links(object_id, object_id),
    }


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def poll_options(question: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """Which key holds the options (`oneOf` or `anyOf`) and the options themselves."""
    key = "anyOf" if isinstance(question.get("anyOf"), list) else "oneOf"
    options = question.get(key)
    return key, [o for o in options if isinstance(o, dict)] if isinstance(options, list) else []


def with_counts(
    question: dict[str, Any], counts: dict[str, int], voters: int, *, updated: datetime, closed: bool
) -> dict[str, Any]:
    """The Question with its current results, as the author's `Update` carries them."""
    key, options = poll_options(question)
    doc = {**question, "votersCount": voters, "updated": iso(updated)}
    doc[key] = [
        {**o, "replies": {"type": "Collection", "totalItems": counts.get(str(o.get("name")), 0)}}
        for o in options
    ]
    if closed:
        doc["closed"] = doc["endTime"]
    return doc
