"""WebFinger, host-meta and NodeInfo documents: pure builders and the resource parser."""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape

from fedicom.activitypub.vocab import AS2_CONTENT_TYPE

AS_TYPE_PROPERTY = "https://www.w3.org/ns/activitystreams#type"
MOVED_TO_REL = "https://www.w3.org/ns/activitystreams#movedTo"  # the property's IRI as a link relation
NODEINFO_SCHEMAS = {
    "2.0": "http://nodeinfo.diaspora.software/ns/schema/2.0",
    "2.1": "http://nodeinfo.diaspora.software/ns/schema/2.1",
}
_ACCT_RE = re.compile(r"^(?:acct:|group:)?@?([^@\s/]+)@([^@\s/]+)$", re.IGNORECASE)


def parse_resource(resource: str, *, domains: set[str]) -> str | None:
    """The local name a WebFinger resource asks for (acct:/group: handles on one of our domains)."""
    match = _ACCT_RE.match(resource.strip())
    if not match or match.group(2).lower() not in domains:
        return None
    return match.group(1).lower()


def webfinger_jrd(
    *, subject: str, actor_uri: str, actor_type: str, profile_url: str | None, moved_to: str | None = None
) -> dict[str, Any]:
    """A JRD as Mastodon requires it (subject plus a `self` link with an AS2 type). An actor that moved
    keeps its `self` link (servers fetch it and find `movedTo`, FEP-7628) and names its new home as an
    alias and a `movedTo` link."""
    links: list[dict[str, Any]] = []
    if profile_url:
        links.append(
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": profile_url}
        )
    links.append(
        {
            "rel": "self",
            "type": AS2_CONTENT_TYPE,
            "href": actor_uri,
            "properties": {AS_TYPE_PROPERTY: actor_type},
        }
    )
    if moved_to:
        links.append({"rel": MOVED_TO_REL, "type": AS2_CONTENT_TYPE, "href": moved_to})
    return {"subject": subject, "aliases": [actor_uri, moved_to] if moved_to else [actor_uri], "links": links}


def host_meta_xrd(base_url: str) -> str:
    template = escape(f"{base_url}/.well-known/webfinger?resource={{uri}}", {'"': "&quot;"})
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" type="application/xrd+xml" template="{template}"/>\n'
        "</XRD>\n"
    )


def host_meta_json(base_url: str) -> dict[str, Any]:
    return {"links": [{"rel": "lrdd", "template": f"{base_url}/.well-known/webfinger?resource={{uri}}"}]}


def nodeinfo_links(base_url: str) -> dict[str, Any]:
    return {
        "links": [{"rel": NODEINFO_SCHEMAS[v], "href": f"{base_url}/nodeinfo/{v}"} for v in ("2.0", "2.1")]
    }


def nodeinfo_document(
    version: str, *, software_version: str, usage: dict[str, int], name: str, open_registrations: bool = False
) -> dict[str, Any]:
    """NodeInfo 2.0/2.1; Lemmy stops federating with servers whose NodeInfo fails for three days."""
    software: dict[str, Any] = {"name": "fedicom", "version": software_version}
    if version == "2.1":
        software["repository"] = "https://github.com/fedicom/fedicom"
        software["homepage"] = "https://github.com/fedicom/fedicom"
    return {
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": open_registrations,
        "usage": {
            "users": {
                "total": usage.get("users", 0),
                "activeHalfyear": usage.get("active_halfyear", 0),
                "activeMonth": usage.get("active_month", 0),
            },
            "localPosts": usage.get("posts", 0),
            "localComments": usage.get("comments", 0),
        },
        "metadata": {"nodeName": name, "communities": usage.get("communities", 0)},
    }
