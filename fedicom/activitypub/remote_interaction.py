"""Following from one's own server: find where a visitor's server lets them act on a remote object.

A visitor types their handle; their server's WebFinger record may carry an OStatus subscribe link
(`http://ostatus.org/schema/1.0/subscribe`, a template with `{uri}`), which Mastodon, Misskey,
Pleroma/Akkoma and Friendica publish. Without one, a Mastodon server (known from its NodeInfo) still
has `/authorize_interaction?uri=`; other servers (Lemmy, Mbin, PieFed…) need the visitor to search
for the community themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from fedicom.activitypub.fetch import Fetcher, actor_link
from fedicom.activitypub.software import server_software
from fedicom.activitypub.urls import parse_url
from fedicom.activitypub.vocab import origin_of
from fedicom.errors import BadRequest, FetchError, Gone, MalformedUrl, NotFound, shown

SUBSCRIBE_REL = "http://ostatus.org/schema/1.0/subscribe"
# Software whose /authorize_interaction?uri= is Mastodon's (it reports itself as mastodon in NodeInfo)
AUTHORIZE_INTERACTION = frozenset({"mastodon", "hometown"})
HANDLE_HELP = "Type your fediverse handle as @name@your.server, for example @alice@mastodon.social."
_USER_RE = re.compile(r"^[^\s@/\\?#:<>\"'&%]{1,128}$")
_PROFILE_RE = re.compile(r"^/(?:@|u/|users/)([^/@]+)/?$")


@dataclass(frozen=True)
class Handle:
    user: str
    host: str  # lower-case, IDNA-encoded, optionally with a port

    def __str__(self) -> str:
        return f"@{self.user}@{self.host}"


@dataclass(frozen=True)
class RemoteInteraction:
    handle: Handle
    server: str  # origin of the visitor's server (of their actor when WebFinger names it)
    url: str | None  # where the visitor confirms the follow; None when their server offers no way
    software: str | None  # from NodeInfo, when it was needed
    actor: str | None = None  # the visitor's actor URI, when their WebFinger record names it


def parse_handle(text: str) -> Handle:
    """`@me@host`, `me@host`, `acct:me@host` or a profile URL (`https://host/@me`) as a Handle."""
    value = text.strip()
    if not value:
        raise BadRequest(f"No handle was given. {HANDLE_HELP}")
    if value.lower().startswith(("https://", "http://")):
        parts = urlsplit(value)
        match = _PROFILE_RE.match(parts.path)
        if not match or not parts.hostname:
            raise BadRequest(f"“{value}” is a web address, not a handle. {HANDLE_HELP}")
        user, host = match.group(1), parts.netloc
    else:
        user, sep, host = value.removeprefix("acct:").removeprefix("@").partition("@")
        if not sep:
            raise BadRequest(f"“{value}” is not a full handle: it needs your server too. {HANDLE_HELP}")
    if not _USER_RE.match(user):
        raise BadRequest(f"“{user}” is not a valid account name. {HANDLE_HELP}")
    try:
        if set(host) & set("/?#@\\"):
            raise MalformedUrl("a server name has no path")
        host = parse_url(f"https://{host.strip()}/").netloc
    except MalformedUrl:
        raise BadRequest(f"“{shown(host)}” is not a valid server name. {HANDLE_HELP}") from None
    return Handle(user, host)


def _web_url(url: str, *, allow_http: bool) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    schemes = ("https", "http") if allow_http else ("https",)
    return parts.scheme.lower() in schemes and bool(parts.hostname)


def subscribe_template(jrd: dict[str, Any], *, allow_http: bool = False) -> str | None:
    """The OStatus subscribe template of a WebFinger record, if it is a usable https URL template."""
    links = jrd.get("links")
    for link in links if isinstance(links, list) else []:
        if not isinstance(link, dict) or link.get("rel") != SUBSCRIBE_REL:
            continue
        template = link.get("template")
        # a hostile server could offer `javascript:…{uri}`: only web URLs are ever redirected to
        if isinstance(template, str) and "{uri}" in template and _web_url(template, allow_http=allow_http):
            return template
    return None


def fill(template: str, uri: str) -> str:
    return template.replace("{uri}", quote(uri, safe=""))


async def discover(fetcher: Fetcher, text: str, target: str, *, allow_http: bool) -> RemoteInteraction:
    """Where the person behind handle `text` can follow `target` (an actor URI) on their own server."""
    handle = parse_handle(text)
    try:
        jrd = await fetcher.webfinger(f"{handle.user}@{handle.host}")
    except Gone:
        raise NotFound(
            f"{handle.host} knows no account {handle}: check the spelling of your handle."
        ) from None
    except FetchError as exc:
        raise FetchError(f"Could not reach your server to look up {handle}: {exc.reason}") from None
    link = actor_link(jrd)
    actor = link if link and _web_url(link, allow_http=allow_http) else None
    scheme = "http" if allow_http else "https"
    server = origin_of(actor) if actor else f"{scheme}://{handle.host}"
    template = subscribe_template(jrd, allow_http=allow_http)
    if template is not None:
        return RemoteInteraction(handle, server, fill(template, target), None, actor)
    software = await server_software(fetcher, server)
    if software in AUTHORIZE_INTERACTION:
        return RemoteInteraction(
            handle, server, fill(f"{server}/authorize_interaction?uri={{uri}}", target), software, actor
        )
    return RemoteInteraction(handle, server, None, software, actor)
