"""Remote actors: fetched with a signed GET, cached in memory and in the database, refetched daily.

Signature checks resolve a keyId to its actor here; a failed check may ask for one refetch
(key rotation), never more.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any
from urllib.parse import urldefrag

from fedicom.activitypub.columns import fits
from fedicom.activitypub.fetch import Fetcher
from fedicom.activitypub.models import RemoteActor
from fedicom.activitypub.urls import Url, parse_url, url_or_none
from fedicom.activitypub.vocab import ACTOR_TYPES, id_of
from fedicom.errors import FetchError, MalformedUrl

REFETCH_AFTER = 24 * 3600  # as Lemmy: actors are refreshed after a day


def parse_actor(doc: dict[str, Any]) -> dict[str, Any]:
    """The fields fedicom keeps of an actor document; FetchError if it is not a usable actor.

    Every URL kept is parsed (and so fits its column); optional ones that are unusable are dropped.
    """
    if not id_of(doc) or doc.get("type") not in ACTOR_TYPES:
        raise FetchError("the document is not an actor")
    uri = _actor_url(id_of(doc), "the actor id")
    inbox = _actor_url(doc.get("inbox"), "the actor's inbox")
    if inbox.origin != uri.origin:
        raise FetchError("the actor has no inbox on its own server")
    endpoints = doc.get("endpoints") if isinstance(doc.get("endpoints"), dict) else {}
    key = doc.get("publicKey")
    if isinstance(key, list):
        key = next((k for k in key if isinstance(k, dict)), None)
    key_id = pem = None
    if isinstance(key, dict) and isinstance(key.get("publicKeyPem"), str):
        key_id, pem = _actor_url(id_of(key), "the actor's key id").text, key["publicKeyPem"]
        if key.get("owner") not in (None, uri.text):
            raise FetchError("the actor's key belongs to another actor")
    username = doc.get("preferredUsername")
    if isinstance(username, str) and not fits(RemoteActor, "preferred_username", username):
        raise FetchError("the actor's preferredUsername is too long")
    return {
        "uri": uri.text,
        "type": doc["type"],
        "host": uri.netloc,
        "preferred_username": username if isinstance(username, str) else None,
        "name": doc.get("name") if isinstance(doc.get("name"), str) else None,
        "inbox": inbox.text,
        "shared_inbox": _own_url(endpoints.get("sharedInbox") if endpoints else None, uri),
        "followers": _own_url(doc.get("followers"), uri),
        "key_id": key_id,
        "public_key_pem": pem,
        "document": doc,
    }


def _actor_url(value: Any, what: str) -> Url:
    if not isinstance(value, str):
        raise FetchError(f"{what} is missing")
    try:
        return parse_url(value, what=what)
    except MalformedUrl as exc:
        raise FetchError(exc.reason) from None  # a flaw of the fetched document, not of our request


def _own_url(value: Any, actor: Url) -> str | None:
    """An optional URL of the actor, when it is valid and on the actor's own server."""
    url = url_or_none(value)
    return url.text if url and url.origin == actor.origin else None


class ActorStore:
    """Looks actors up by id or by keyId: memory first, then the database, then the network."""

    def __init__(self, fetcher: Fetcher, *, capacity: int = 20_000) -> None:
        self.fetcher = fetcher
        self._by_uri: OrderedDict[str, RemoteActor] = OrderedDict()
        self._by_key: dict[str, str] = {}
        self._capacity = capacity
        self._refetched: dict[str, float] = {}

    def may_refetch(self, uri: str, every: float) -> bool:
        """True at most once per `every` seconds per actor (a failed signature asks for a refetch)."""
        now = time.monotonic()
        if now - self._refetched.get(uri, -every) < every:
            return False
        if len(self._refetched) > self._capacity:
            self._refetched.clear()
        self._refetched[uri] = now
        return True

    def _remember(self, actor: RemoteActor) -> RemoteActor:
        self._by_uri[actor.uri] = actor
        self._by_uri.move_to_end(actor.uri)
        if actor.key_id:
            self._by_key[actor.key_id] = actor.uri
        while len(self._by_uri) > self._capacity:
            _, old = self._by_uri.popitem(last=False)
            self._by_key.pop(old.key_id or "", None)
        return actor

    async def get(self, uri: str, *, refresh: bool = False) -> RemoteActor:
        """The actor at uri; fetched when unknown, stale, or a refresh is asked for."""
        uri = _actor_url(urldefrag(uri)[0], "the actor id").text
        actor = self._by_uri.get(uri)
        if actor is None:
            actor = await RemoteActor.get_or_none(uri=uri)
        if actor is not None and not refresh and time.time() - actor.fetched_at < REFETCH_AFTER:
            return self._remember(actor)
        try:
            return await self.fetch(uri)
        except FetchError:
            if actor is not None and not refresh:
                return self._remember(actor)  # a stale copy beats none while the server is down
            raise

    async def fetch(self, uri: str) -> RemoteActor:
        fields = parse_actor(await self.fetcher.get_json(uri))
        if fields["uri"] != uri:
            raise FetchError("the actor's id differs from the URL it was fetched from")
        return self._remember(await self.store(fields))

    async def store(self, fields: dict[str, Any]) -> RemoteActor:
        """Insert or update the cached copy of an actor from parsed fields."""
        values = {k: v for k, v in fields.items() if k != "uri"}
        actor, _ = await RemoteActor.update_or_create(
            uri=fields["uri"], defaults={**values, "fetched_at": time.time()}
        )
        return actor

    async def by_key_id(self, key_id: str, *, refresh: bool = False) -> RemoteActor:
        """The actor owning keyId: `actor#main-key` style, or a key document naming its owner."""
        key = _actor_url(key_id, "the keyId")
        key_id = key.text
        if not refresh:
            uri = self._by_key.get(key_id)
            if uri and uri in self._by_uri:
                return self._by_uri[uri]
            actor = await RemoteActor.get_or_none(key_id=key_id)
            if actor is not None and time.time() - actor.fetched_at < REFETCH_AFTER:
                return self._remember(actor)
        doc_uri = urldefrag(key_id)[0]
        doc = await self.fetcher.get_json(doc_uri)
        if doc.get("type") in ACTOR_TYPES:
            actor = self._remember(await self.store(_checked(parse_actor(doc), doc_uri)))
        else:
            owner = _own_url(doc.get("owner"), key)
            if owner is None:
                raise FetchError("the key document names no owner on its own server")
            actor = await self.get(owner, refresh=True)
        if actor.key_id != key_id:
            raise FetchError("the signer's actor does not publish this key")
        return actor


def _checked(fields: dict[str, Any], fetched_from: str) -> dict[str, Any]:
    if fields["uri"] != fetched_from:
        raise FetchError("the actor's id differs from the URL it was fetched from")
    return fields
