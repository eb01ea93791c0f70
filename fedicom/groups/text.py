"""Text of communities and posts: our markdown rendered to HTML, remote HTML sanitized.

Every piece of HTML fedicom shows or serves passes through `sanitize` (nh3, an allowlist).
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

_TAGS = {
    "p",
    "br",
    "a",
    "span",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "sup",
    "sub",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
}
_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "span": {"class"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "code": {"class"},
}
_TAG_RE = re.compile(r"<[^>]+>")


def sanitize(html: str) -> str:
    """Remote HTML made safe to show: scripts, handlers, styles and javascript: URLs removed."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer ugc",
    )


def render_markdown(text: str) -> str:
    return sanitize(_md.render(text))


def plain_text(html: str, limit: int = 200) -> str:
    """A one-line plain-text excerpt of HTML (for titles of posts that have none)."""
    text = " ".join(_TAG_RE.sub(" ", html).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
