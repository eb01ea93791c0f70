"""The one parser of URLs and hosts that come from the network (ids, keyIds, inboxes, handles).

Strict where a lenient reading would let two spellings name one server (a trailing dot, user
information, unbracketed IPv6) or crash later (bad ports, labels IDNA refuses, lengths no column holds).
Names are IDNA-encoded with UTS #46 as aiohttp (yarl) encodes them, so the host we check is the host
we connect to.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import idna

from fedicom.errors import MalformedUrl, shown

MAX_URI = 1024  # the URI columns (fedicom/activitypub/models.py); tests/activitypub/test_urls.py checks
MAX_HOST = 255  # the host columns: host[:port]
MAX_NAME = 253  # a DNS name (RFC 1035)
SCHEMES = frozenset({"http", "https"})
# LDH labels; `_` too, as resolvers and yarl accept it in real hosts
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_PORT = re.compile(r"[0-9]{1,5}")
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")  # control characters, spaces and backslashes break requests


@dataclass(frozen=True)
class Url:
    """A parsed http(s) URL: `text` as given, with its scheme, host and port normalised."""

    text: str
    scheme: str
    host: str  # lower-case A-labels, an IPv4 address, or a bracketed IPv6 address
    port: int | None

    @property
    def netloc(self) -> str:
        """host[:port]: the unit of per-server health and blocks."""
        return self.host if self.port is None else f"{self.host}:{self.port}"

    @property
    def origin(self) -> str:
        """scheme://host[:port]: two URLs share an origin when this is equal."""
        return f"{self.scheme}://{self.netloc}"


def parse_url(text: str, *, what: str | None = None) -> Url:
    """`text` as an http(s) URL with a valid host; MalformedUrl saying what (`what`) is wrong with it."""
    try:
        return _parse_url(text)
    except _Invalid as exc:
        raise MalformedUrl(f"{what or repr(shown(text))} is not a valid URL: {exc}") from None


def url_or_none(value: object) -> Url | None:
    """`value` parsed when it is a valid http(s) URL; None for anything else (optional fields)."""
    if not isinstance(value, str):
        return None
    try:
        return _parse_url(value)
    except _Invalid:
        return None


def parse_host(text: str, *, what: str | None = None) -> str:
    """A host name or IP address as stored and compared: lower-case, A-labels, no trailing dot."""
    try:
        return _host(text)
    except _Invalid as exc:
        raise MalformedUrl(f"{what or repr(shown(text))} is not a valid host name: {exc}") from None


class _Invalid(ValueError):
    """Why a URL or host is invalid, in a few words (wrapped with what it was by the public functions)."""


@lru_cache(maxsize=4096)  # the inbox parses the same few actor and key URLs over and over
def _parse_url(text: str) -> Url:
    if len(text) > MAX_URI:
        raise _Invalid(f"it is longer than {MAX_URI} characters")
    if _UNSAFE.search(text):
        raise _Invalid("it holds spaces, control characters or backslashes")
    try:
        parts = urlsplit(text)
    except ValueError:
        raise _Invalid("its host is not well-formed") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise _Invalid("it is not an http or https URL")
    if "@" in parts.netloc:
        raise _Invalid("it holds user information")
    host, port = _split_netloc(parts.netloc)
    url = Url(text, scheme, _host(host), port)
    if len(url.netloc) > MAX_HOST:
        raise _Invalid(f"its host and port are longer than {MAX_HOST} characters")
    return url


def _split_netloc(netloc: str) -> tuple[str, int | None]:
    if netloc.startswith("["):
        host, bracket, rest = netloc.partition("]")
        host += bracket
    else:
        host, colon, port = netloc.partition(":")
        rest = colon + port
    if not rest:
        return host, None
    if not rest.startswith(":") or not _PORT.fullmatch(rest[1:]) or not 0 < int(rest[1:]) < 65536:
        raise _Invalid("its port is not a number from 1 to 65535")
    return host, int(rest[1:])


@lru_cache(maxsize=4096)
def _host(text: str) -> str:
    if not text:
        raise _Invalid("it has no host")
    if text.startswith("[") and text.endswith("]"):
        try:
            return f"[{ipaddress.IPv6Address(text[1:-1]).compressed}]"
        except ValueError:
            raise _Invalid("its IPv6 address is not valid") from None
    name = text.removesuffix(".").lower()
    if len(name) > MAX_HOST:  # before IDNA, which is slow on long input
        raise _Invalid(f"its name is longer than {MAX_NAME} characters")
    if not name.isascii():
        try:
            name = idna.encode(name, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise _Invalid(f"IDNA refuses it ({exc})") from None
    if len(name) > MAX_NAME:
        raise _Invalid(f"its name is longer than {MAX_NAME} characters")
    if not all(_LABEL.fullmatch(label) for label in name.split(".")):
        raise _Invalid("a label is empty, too long, or holds characters no host name may")
    return name
