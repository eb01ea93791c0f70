"""The footer's links to the brand's own pages (legal notice, privacy, its main site). Pure.

Only https addresses: a footer link leaves the site, and a visitor must not be sent anywhere in clear
text, nor to a `javascript:` or `data:` address.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from fedicom.errors import BadRequest, shown

MAX_LINKS = 6
MAX_LABEL = 60
MAX_URL = 500


@dataclass(frozen=True)
class FooterLink:
    label: str
    url: str


def footer_link(label: str, url: str) -> FooterLink:
    """One link as stored; BadRequest naming what is wrong with it."""
    label = " ".join(label.split())
    url = url.strip()
    if not 1 <= len(label) <= MAX_LABEL:
        raise BadRequest(f"a footer link's label is 1 to {MAX_LABEL} characters")
    if "\x00" in label:
        raise BadRequest("a footer link's label cannot contain a NUL character")
    parts = urlsplit(url) if len(url) <= MAX_URL else None
    if (
        parts is None
        or parts.scheme != "https"
        or not parts.hostname
        or any(c.isspace() or ord(c) < 32 or c in "<>\"'\\" for c in url)
    ):
        raise BadRequest(
            f"the footer link {shown(label, 40)!r} must lead to an https:// address of at most "
            f"{MAX_URL} characters, not {shown(url, 60)!r}"
        )
    return FooterLink(label, url)


def footer_links(pairs: Iterable[tuple[str, str]]) -> tuple[FooterLink, ...]:
    """The links in order; at most MAX_LINKS of them."""
    links = tuple(footer_link(label, url) for label, url in pairs)
    if len(links) > MAX_LINKS:
        raise BadRequest(f"the footer has at most {MAX_LINKS} links, not {len(links)}")
    return links


def parse_pair(text: str) -> tuple[str, str]:
    """`Legal notice=https://brand.example/legal` (as the CLI takes it) → (label, url)."""
    label, sep, url = text.partition("=")
    if not sep:
        raise BadRequest(f"a footer link is written LABEL=https://…, not {shown(text, 60)!r}")
    return label, url
