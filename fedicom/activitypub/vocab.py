"""ActivityStreams vocabulary helpers: constants, id extraction and origin checks.

Pure functions over JSON dicts as received; they never change a payload.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from fedicom.activitypub.urls import MAX_URI, parse_url

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
# Some servers abbreviate the Public collection; treat all spellings alike when reading.
PUBLIC_ALIASES = frozenset({PUBLIC, "as:Public", "Public"})
AS2_CONTENT_TYPE = "application/activity+json"
LD_CONTENT_TYPE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
POST_TYPES = frozenset({"Note", "Page", "Article", "Question", "Video", "Event"})
ACTOR_TYPES = frozenset({"Person", "Service", "Application", "Group", "Organization"})


def as_list(value: Any) -> list[Any]:
    """AS2 properties may be a single value, a list, or absent."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def id_of(value: Any) -> str | None:
    """The id of an embedded object or a bare URI."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        ident = value.get("id")
        return ident if isinstance(ident, str) else None
    return None


def ids_of(value: Any) -> list[str]:
    return [i for i in (id_of(v) for v in as_list(value)) if i]


def origin_of(uri: str, *, what: str | None = None) -> str:
    """scheme://host[:port], normalised: two URIs share an origin when this is equal.

    MalformedUrl (a 400) when `uri` is not a valid http(s) URL (see urls.py)."""
    return parse_url(uri, what=what).origin


def host_of(uri: str, *, what: str | None = None) -> str:
    """host[:port] of a URI, normalised: the unit of per-server health and blocks. MalformedUrl if invalid."""
    return parse_url(uri, what=what).netloc


# Properties whose values are ids that processing looks rows up by (posts, votes, actors, members)
REFERENCE_KEYS = frozenset(
    {"id", "actor", "object", "target", "inReplyTo", "attributedTo", "to", "cc", "bto", "bcc", "audience"}
)


_LONG_STRING = re.compile(f'"[^"]{{{MAX_URI},}}')


def overlong_reference(doc: Any, text: str) -> str | None:
    """The first property (at any depth) naming an id longer than any id column holds, if any.

    `text` is the JSON `doc` was read from: unless it holds a string that long, nothing is walked.
    Checked where a document enters (the inbox, the fetcher), so no lookup by such an id fails later.
    """
    return _overlong(doc) if _LONG_STRING.search(text) else None


def _overlong(doc: Any) -> str | None:
    if isinstance(doc, list):
        return next((k for k in map(_overlong, doc) if k), None)
    if not isinstance(doc, dict):
        return None
    for key, value in doc.items():
        if key in REFERENCE_KEYS and any(len(i) > MAX_URI for i in ids_of(value)):
            return str(key)
        if isinstance(value, dict | list) and (found := _overlong(value)):
            return found
    return None


def audience_of(activity: dict[str, Any]) -> set[str]:
    """Every id the activity or its object is addressed to (to, cc, audience)."""
    found: set[str] = set()
    for doc in (activity, activity.get("object")):
        if isinstance(doc, dict):
            for key in ("to", "cc", "audience", "bto", "bcc"):
                found.update(ids_of(doc.get(key)))
    return found


def is_public(doc: dict[str, Any]) -> bool:
    return any(i in PUBLIC_ALIASES for i in ids_of(doc.get("to")) + ids_of(doc.get("cc")))


def mentions_of(obj: dict[str, Any]) -> list[str]:
    """hrefs of Mention tags of an object."""
    out = []
    for tag in as_list(obj.get("tag")):
        if isinstance(tag, dict) and tag.get("type") == "Mention" and isinstance(tag.get("href"), str):
            out.append(tag["href"])
    return out


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_activity_uri(base_url: str) -> str:
    return f"{base_url}/activities/{uuid.uuid4()}"


def order_key(activity: dict[str, Any]) -> str:
    """Deliveries sharing this key reach one inbox in order (an Update never overtakes its Create).

    Create/Update/Delete order on their object; Like and its Undo on the Like; an Announce on
    what it wraps. Different objects never wait for each other.
    """
    doc: Any = activity
    for _ in range(4):
        kind = doc.get("type") if isinstance(doc, dict) else None
        inner = doc.get("object") if isinstance(doc, dict) else None
        if kind == "Announce" and isinstance(inner, dict):
            doc = inner
        elif kind == "Undo":
            return _short(id_of(inner) or id_of(doc) or "")
        elif kind in ("Create", "Update", "Delete", "Announce") and id_of(inner):
            return _short(id_of(inner) or "")
        else:
            break
    return _short(id_of(doc) or "")


def _short(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def unique_ids(values: Iterable[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        if v:
            seen.setdefault(v, None)
    return list(seen)
