"""How people appear on pages: a display name, a fediverse handle, a profile link and an avatar.

Built from the cached remote actors (never fetched while a page renders) and from local staff URIs.
Every field is plain text or an http(s) URL; templates escape them like any other text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fedicom.activitypub.models import RemoteActor
from fedicom.groups.communities import Site
from fedicom.groups.models import Group

MAX_NAME = 100


@dataclass(frozen=True)
class Author:
    uri: str
    name: str
    handle: str | None  # @user@host when known
    url: str | None  # profile page, http(s) only
    avatar: str | None  # http(s): pages show it through the media proxy (web/templating.py avatar_src)


def web_url(value: Any) -> str | None:
    """`value` when it is an http(s) URL with a host; None for anything else (javascript:, data:…)."""
    if not isinstance(value, str):
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    return value.strip() if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def _image(value: Any) -> str | None:
    if isinstance(value, list):
        value = next(iter(value), None)
    url = value.get("url") if isinstance(value, dict) else value
    if isinstance(url, dict):  # Link objects: {"type": "Link", "href": …}
        url = url.get("href")
    return web_url(url)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_NAME else text[: MAX_NAME - 1] + "…"


def describe_remote(actor: RemoteActor) -> Author:
    doc = actor.document if isinstance(actor.document, dict) else {}
    username = actor.preferred_username or ""
    handle = f"@{username}@{actor.host}" if username else None
    name = _short(actor.name or "") or username or actor.host
    profile = web_url(doc.get("url")) or web_url(actor.uri)
    return Author(actor.uri, name, handle, profile, _image(doc.get("icon")))


def describe_unknown(uri: str, site: Site) -> Author:
    staff = site.staff_from_uri(uri)
    if staff:
        return Author(uri, staff, f"@{staff}@{site.domain}", uri, None)
    parts = urlsplit(uri)
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return Author(uri, _short(last or parts.hostname or uri), None, web_url(uri), None)


async def _communities(uris: set[str], site: Site) -> dict[str, Author]:
    """Our own communities as authors (of the threads staff post as the community): title and handle."""
    names = {n: u for u in uris if (n := site.name_from_uri(u))}
    if not names:
        return {}
    groups = await Group.filter(name__in=list(names)).only("name", "title")
    return {
        names[g.name]: Author(
            names[g.name], _short(g.title or g.name), f"@{g.name}@{site.domain}", names[g.name], None
        )
        for g in groups
    }


async def describe(uris: Iterable[str], site: Site) -> dict[str, Author]:
    """Authors by URI, for everyone in `uris`."""
    wanted = {u for u in uris if u}
    found = {a.uri: describe_remote(a) for a in await RemoteActor.filter(uri__in=wanted)} if wanted else {}
    found.update(await _communities(wanted - found.keys(), site))
    return {u: found.get(u) or describe_unknown(u, site) for u in wanted}
