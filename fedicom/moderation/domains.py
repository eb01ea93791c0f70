"""Domain names in blocks: normalising them and finding the block that covers a host. Pure."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from fedicom.activitypub.urls import parse_host
from fedicom.errors import BadRequest, MalformedUrl, shown

SEVERITIES = ("noop", "limit", "suspend")  # Mastodon's order, weakest first
MODES = ("open", "blocklist", "allowlist", "quarantine")  # FEDICOM_FEDERATION_MODE
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize(domain: str) -> str:
    """A block's domain as stored: lower-case, no scheme, path, port or trailing dot, IDNA-encoded."""
    value = domain.strip().lower()
    value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value).split("/", 1)[0].rstrip(".")
    if value.startswith("*."):
        value = value[2:]  # subdomains are always covered
    host = value.rsplit(":", 1)[0] if value.count(":") == 1 else value
    try:
        host = parse_host(host)  # IDNA as host_of applies it, so a block names the host we see
    except MalformedUrl:
        raise BadRequest(f"{shown(domain)!r} is not a valid domain name") from None
    labels = host.split(".")
    if (len(labels) < 2 and host != "localhost") or not all(_LABEL.match(label) for label in labels):
        raise BadRequest(f"{domain!r} is not a valid domain name")
    return host


def hostname(host: str) -> str:
    """The name part of a host[:port] (ports never matter to a block)."""
    return host.lower().rsplit(":", 1)[0] if host.count(":") == 1 else host.lower()


def covering(host: str, domains: Mapping[str, object]) -> str | None:
    """The blocked domain covering host (itself or a parent domain), if any."""
    name = hostname(host)
    parts = name.split(".")
    for i in range(len(parts) - 1 if len(parts) > 1 else 1):
        candidate = ".".join(parts[i:])
        if candidate in domains:
            return candidate
    return None


def rank(severity: str) -> int:
    if severity not in SEVERITIES:
        raise BadRequest(f"unknown severity {severity!r}; use one of {', '.join(SEVERITIES)}")
    return SEVERITIES.index(severity)


def obfuscated(domain: str) -> str:
    """A domain partly hidden for public lists (`ex***le.com`): the middle half of the name before
    the top-level domain becomes stars; dots stay so the shape is recognisable."""
    name, dot, tld = domain.rpartition(".")
    if not dot:
        name, tld = domain, ""
    hidden = max(1, len(name) // 2)
    start = (len(name) - hidden) // 2
    masked = "".join("*" if start <= i < start + hidden and c != "." else c for i, c in enumerate(name))
    return f"{masked}{dot}{tld}"


def digest(domain: str) -> str:
    """sha256 hex of the domain: lets others check a domain they know against an obfuscated list."""
    return hashlib.sha256(domain.encode()).hexdigest()
