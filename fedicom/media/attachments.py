"""What a post carries besides its text, read from its stored ActivityPub document: pure functions.

Programs spell attachments differently: Mastodon, Misskey and Pleroma send `Document`s with a
`mediaType` and the alt text in `name`; Lemmy sends its link as an `attachment` of type `Link`
(`href`) and a thumbnail in `image`; WordPress sends `Image`s and repeats the first as `image`;
PeerTube's `Video` has its files as a list of `Link`s in `url` and previews in `icon`. Each becomes
one `Attachment`, the same URL once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

MAX_ATTACHMENTS = 16  # more than any program sends (Mastodon 4, Misskey 16); the rest are ignored
MAX_ALT = 1500  # Mastodon's limit for a description
MAX_SIDE = 100_000
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif")
# Types whose `summary` is a content warning (Mastodon's CW); on a Page or Article it is an abstract.
WARNING_TYPES = frozenset({"Note", "Question"})


class Kind(StrEnum):
    """What a visitor is shown: images through the proxy, anything else as a named link."""

    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    FILE = "file"
    LINK = "link"


@dataclass(frozen=True)
class Attachment:
    url: str
    kind: Kind
    media_type: str | None = None
    name: str = ""  # the author's description (alt text), empty when they wrote none
    width: int | None = None
    height: int | None = None
    sensitive: bool = False  # Misskey marks each file; the post's own flag covers the others

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


def attachments_of(document: dict[str, Any]) -> list[Attachment]:
    """Every attachment of the document worth showing, images first in the author's order."""
    found: dict[str, Attachment] = {}
    for item in _as_list(document.get("attachment")):
        attachment = _attachment(item)
        if attachment is not None:
            found.setdefault(attachment.url, attachment)
    if document.get("type") == "Video":
        found.update({a.url: a for a in _video_files(document) if a.url not in found})
    preview = _preview(document)
    if preview is not None and not any(a.kind is Kind.IMAGE for a in found.values()):
        found.setdefault(preview.url, preview)  # Lemmy's thumbnail of a link, PeerTube's of a video
    items = list(found.values())[:MAX_ATTACHMENTS]
    return [a for a in items if a.kind is Kind.IMAGE] + [a for a in items if a.kind is not Kind.IMAGE]


def images_of(document: dict[str, Any]) -> list[Attachment]:
    return [a for a in attachments_of(document) if a.kind is Kind.IMAGE]


class _ImageSources(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        src = dict(attrs).get("src") if tag == "img" else None
        if src and urlsplit(src.strip()).scheme.lower() in ("http", "https"):
            self.found.append(src.strip())

    handle_startendtag = handle_starttag


def inline_images(html: str) -> list[str]:
    """The web addresses of the pictures written into a post's HTML (Lemmy's `![alt](url)`), in order."""
    if "<img" not in html:
        return []
    parser = _ImageSources()
    parser.feed(html)
    parser.close()
    return list(dict.fromkeys(parser.found))[:MAX_ATTACHMENTS]


def content_warning(document: dict[str, Any]) -> str | None:
    """Why the post's media is hidden until asked for: its warning text, "Sensitive", or None.

    `sensitive: true` is Mastodon's and Lemmy's NSFW flag; a Note's `summary` is Mastodon's content
    warning. lotide repeats a Note's title as its summary, which warns of nothing.
    """
    summary = document.get("summary")
    warning = (
        " ".join(summary.split())[:200]
        if isinstance(summary, str) and document.get("type") in WARNING_TYPES
        else ""
    )
    if warning and warning == document.get("name"):
        warning = ""
    if warning:
        return warning
    return "Sensitive" if document.get("sensitive") is True else None


def _attachment(item: Any) -> Attachment | None:
    if not isinstance(item, dict) or item.get("type") in ("PropertyValue", "Hashtag", "Mention", "Emoji"):
        return None
    url, link_type = _url(item.get("href") if item.get("type") == "Link" else item.get("url"))
    if url is None:
        return None
    media_type = _media_type(item.get("mediaType")) or link_type
    return Attachment(
        url=url,
        kind=_kind(str(item.get("type", "")), media_type, url),
        media_type=media_type,
        name=_text(item.get("name")) or _text(item.get("summary")),
        width=_side(item.get("width")),
        height=_side(item.get("height")),
        sensitive=item.get("sensitive") is True,
    )


def _kind(kind: str, media_type: str | None, url: str) -> Kind:
    if media_type:
        major = media_type.split("/", 1)[0]
        return {"image": Kind.IMAGE, "video": Kind.VIDEO, "audio": Kind.AUDIO}.get(
            major, Kind.LINK if kind == "Link" else Kind.FILE
        )
    if kind in ("Image", "Video", "Audio"):
        return Kind(kind.lower())
    # Lemmy's Link to an uploaded picture carries no type: its address says what it is
    if urlsplit(url).path.lower().endswith(IMAGE_SUFFIXES):
        return Kind.IMAGE
    return Kind.LINK if kind == "Link" else Kind.FILE


def _preview(document: dict[str, Any]) -> Attachment | None:
    """The document's own picture: Lemmy's `image`, or the largest of PeerTube's `icon`s of a video."""
    field = document.get("image") if document.get("image") else None
    if field is None and document.get("type") == "Video":
        icons = [i for i in _as_list(document.get("icon")) if isinstance(i, dict)]
        field = max(icons, key=lambda i: _side(i.get("width")) or 0, default=None)
    if isinstance(field, list):
        field = next(iter(field), None)
    if isinstance(field, str):
        field = {"url": field}
    if not isinstance(field, dict):
        return None
    url, _ = _url(field.get("url") or field.get("href"))
    if url is None:
        return None
    return Attachment(
        url=url,
        kind=Kind.IMAGE,
        media_type=_media_type(field.get("mediaType")),
        name=_text(field.get("name")),
        width=_side(field.get("width")),
        height=_side(field.get("height")),
    )


def _video_files(document: dict[str, Any]) -> list[Attachment]:
    """PeerTube: `url` lists the video's watch page (text/html) first, then its streams; the page plays
    them all, so it is the one linked."""
    for link in _as_list(document.get("url")):
        if isinstance(link, dict) and _media_type(link.get("mediaType")) == "text/html":
            url, _ = _url(link.get("href"))
            if url:
                return [Attachment(url, Kind.VIDEO, None, _text(document.get("name")))]
    return []


def _url(value: Any) -> tuple[str | None, str | None]:
    """(the first http(s) URL in value, the media type its Link names)."""
    for candidate in _as_list(value):
        media_type = None
        if isinstance(candidate, dict):
            media_type = _media_type(candidate.get("mediaType"))
            candidate = candidate.get("href")
        if isinstance(candidate, str) and len(candidate) <= 2048:
            try:
                parts = urlsplit(candidate.strip())
            except ValueError:
                continue
            if parts.scheme.lower() in ("http", "https") and parts.hostname:
                return candidate.strip(), media_type
    return None, None


def _media_type(value: Any) -> str | None:
    if not isinstance(value, str) or "/" not in value:
        return None
    return value.split(";", 1)[0].strip().lower()[:100] or None


def _text(value: Any) -> str:
    return " ".join(value.split())[:MAX_ALT] if isinstance(value, str) else ""


def _side(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_SIDE else None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
