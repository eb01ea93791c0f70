"""The JSON-LD contexts fedicom emits.

Only the two widely shipped contexts (ActivityStreams, security/v1) are referenced; extension
terms are defined inline, as Mastodon does, so no peer ever has to fetch a context of ours.
"""

from __future__ import annotations

from typing import Any

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"

# Terms Lemmy, Mastodon and schema.org define, spelled inline so their meaning is unambiguous.
_EXTENSIONS: dict[str, Any] = {
    "lemmy": "https://join-lemmy.org/ns#",
    "toot": "http://joinmastodon.org/ns#",
    "sc": "http://schema.org/",
    "litepub": "http://litepub.social/ns#",
    "sensitive": "as:sensitive",
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "postingRestrictedToMods": "lemmy:postingRestrictedToMods",
    "moderators": {"@id": "lemmy:moderators", "@type": "@id"},
    "featured": {"@id": "toot:featured", "@type": "@id"},
    "discoverable": "toot:discoverable",
    "indexable": "toot:indexable",
    "rules": "lemmy:rules",
    "privacyPolicy": "lemmy:privacyPolicy",
    "webfinger": "litepub:webfinger",
    "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
    "movedTo": {"@id": "as:movedTo", "@type": "@id"},
    "PropertyValue": "sc:PropertyValue",
    "value": "sc:value",
}

ACTOR_CONTEXT: list[Any] = [AS_CONTEXT, SECURITY_CONTEXT, _EXTENSIONS]
ACTIVITY_CONTEXT: str = AS_CONTEXT


def with_context(doc: dict[str, Any], context: Any = ACTIVITY_CONTEXT) -> dict[str, Any]:
    """A new dict with @context first (readers of our JSON look for it there)."""
    return {"@context": context, **{k: v for k, v in doc.items() if k != "@context"}}
