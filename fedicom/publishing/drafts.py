"""What a staff member submits, checked before anything is stored or sent. Pure.

Limits follow what members' servers keep: Lemmy cuts titles at 200 characters and bodies at 10,000;
Mastodon shows at most 4 images (and its alt text holds 1,500 characters, media/attachments.MAX_ALT).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fedicom.activitypub.urls import url_or_none
from fedicom.errors import BadRequest
from fedicom.groups.directory import language_name
from fedicom.groups.text import render_markdown
from fedicom.media.attachments import MAX_ALT
from fedicom.publishing.wire import Content, Picture

MAX_TITLE = 200
MAX_BODY = 10_000
MAX_PICTURES = 4

MAX_WARNING = 200
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class Upload:
    """An image as uploaded, before it is checked and re-encoded."""

    data: bytes
    alt: str


@dataclass(frozen=True)
class Draft:
    """A post or reply as written: Markdown body, and for threads a title and an optional link."""

    body: str
    title: str | None = None
    link: str | None = None
    uploads: tuple[Upload, ...] = ()
    warning: str | None = None
    language: str | None = None
    pictures: tuple[Picture, ...] = field(default=())  # kept from the post being edited
    as_community: bool = False  # a thread written by the Group itself (docs/publishing.md: who shows it)
    distinguished: bool = False  # a moderator's reply Lemmy pins atop the comments (docs/questions.md)


def _text(value: str, what: str, limit: int) -> str:
    if "\x00" in value:
        raise BadRequest(f"the {what} contains a NUL character")
    value = value.strip()
    if len(value) > limit:
        raise BadRequest(f"the {what} is longer than {limit:,} characters ({len(value):,})")
    return value


def check_uploads(uploads: tuple[Upload, ...], kept: int = 0) -> None:
    """Every image needs its alt text (members using screen readers read it), and at most four."""
    if len(uploads) + kept > MAX_PICTURES:
        raise BadRequest(f"a post holds at most {MAX_PICTURES} images")
    for number, upload in enumerate(uploads, start=1):
        alt = _text(upload.alt, f"alt text of image {number}", MAX_ALT)
        if not alt:
            raise BadRequest(f"image {number} needs an alt text describing it")


def content_of(draft: Draft, *, thread: bool, pictures: tuple[Picture, ...] = ()) -> Content:
    """The draft checked and rendered (BadRequest naming the first problem)."""
    body = _text(draft.body, "body", MAX_BODY)
    title = _text(draft.title or "", "title", MAX_TITLE) if thread else None
    if thread and not title:
        raise BadRequest("a post needs a title")
    if not thread and (draft.title or draft.link):
        raise BadRequest("a reply has no title or link: only a body and images")
    if not body and not thread:
        raise BadRequest("a reply needs a body")
    if draft.as_community and not thread:
        raise BadRequest("replies are written by a staff member: only a thread is posted as the community")
    link = None
    if draft.link and draft.link.strip():
        parsed = url_or_none(draft.link.strip())
        if parsed is None:
            raise BadRequest(f"the link {draft.link.strip()[:100]!r} is not an http(s) URL")
        link = parsed.text
    warning = _text(draft.warning, "content warning", MAX_WARNING) if draft.warning is not None else None
    language = None
    if draft.language and draft.language.strip():
        code = draft.language.strip().lower()
        if not _LANGUAGE_RE.match(code):
            raise BadRequest(f"{code[:20]!r} is not a language code such as en or fr")
        language = (code, language_name(code))
    html = render_markdown(body) if body else ""
    return Content(
        source=body,
        html=html,
        title=title,
        link=link,
        pictures=draft.pictures + pictures,
        warning=warning,
        language=language,
    )
