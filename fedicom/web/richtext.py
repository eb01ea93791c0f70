"""Stored post HTML made ready for a page: sanitized once more, then made valid and accessible.

Posts are sanitized when stored (fedicom/groups/text.py); here they pass nh3 again (defence in depth:
the cost is small next to a page's queries), and two things nh3 leaves are tidied: links it stripped of
a dangerous href keep a `rel` that HTML allows only with an href, and images need an `alt` (empty when
the author gave none: a screen reader then skips them) and an absolute web address.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from html.parser import HTMLParser

from markupsafe import Markup

from fedicom.groups.authors import web_url
from fedicom.groups.text import sanitize

_NEWLINE = re.compile("\n")
_NEEDS_TIDY = re.compile(r"<img\b|<a(?![^>]*\shref=)[\s>]")


class _StartTags(HTMLParser):
    """Where the `a` and `img` start tags of (already sanitized, well-formed) HTML are, as written."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[tuple[int, int], str, str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" or (tag == "a" and not dict(attrs).get("href")):
            self.found.append((self.getpos(), tag, self.get_starttag_text() or "", dict(attrs)))

    handle_startendtag = handle_starttag


def _attribute(name: str, value: str | None) -> str:
    return f' {name}="{escape(value or "", quote=True)}"'


def _rewrite(tag: str, attrs: dict[str, str | None], local: Callable[[str], str]) -> str:
    if tag == "a":  # without its href: rel is not allowed any more
        return "<a" + "".join(_attribute(k, v) for k, v in attrs.items() if k in ("title", "class")) + ">"
    src = web_url(attrs.get("src"))
    if src is None:  # relative, empty or not a web address: it would only fetch a page of ours
        return escape(attrs.get("alt") or "")
    title = _attribute("title", attrs["title"]) if attrs.get("title") else ""
    shown = local(src)  # through this server's media proxy: visitors' browsers never ask the author's
    return (
        f'<img src="{escape(shown, quote=True)}"{_attribute("alt", attrs.get("alt"))}{title} loading="lazy">'
    )


def tidy(html: str, local: Callable[[str], str]) -> str:
    if not _NEEDS_TIDY.search(html):
        return html
    parser = _StartTags()
    parser.feed(html)
    parser.close()
    lines = [0, *(m.end() for m in _NEWLINE.finditer(html))]  # the parser counts lines by "\n" only
    parts, done = [], 0
    for (line, column), tag, written, attrs in parser.found:
        start = lines[line - 1] + column
        parts += [html[done:start], _rewrite(tag, attrs, local)]
        done = start + len(written)
    return "".join([*parts, html[done:]])


def post_html(html: str | None, local: Callable[[str], str]) -> Markup:
    """Safe to insert in a page: the only way stored remote HTML reaches a template. `local` gives the
    address on this server of a picture written into the text."""
    return Markup(tidy(sanitize(html or ""), local))
