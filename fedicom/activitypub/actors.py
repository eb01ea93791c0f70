"""Remote actors: fetched with a signed GET, cached in memory and in the database, refetched daily.

Signature checks resolve a keyId to its actor here; a failed check may ask for one refetch
(key rotation), never more.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any
from urllib.parse import urldefrag

from fedicom.activitypub.fetch import Fetcher
from fedicom.activitypub.models import RemoteActor
from fedicom.activitypub.vocab import ACTOR_TYPES, host_of, id_of, origin_of
from fedicom.errors import FetchError

REFETCH_AFTER = 24 * 3600  # as Lemmy: actors are refreshed after a day


def parse_actor(doc: dict[str, Any]) -> dict[str, Any]:
    """The fields fedicom keeps of an actor document; FetchError if it is not a usable actor."""
    uri = id_of(doc)
    if not uri or doc.get("type") not in ACTOR_TYPES:
        raise FetchError("the document is not an actor")
    inbox = doc.get("inbox")
    if not isinstance(inbox, str) or origin_of(inbox) != origin_of(uri):
        raise FetchError("the actor has no inbox on its own server")
    endpoints = doc.get("endpoints") if isinstance(doc.get("endpoints"), dict) else {}
    shared = endpoints.get("sharedInbox") if endpoints else None
    key = doc.get("publicKey")
    if isinstance(key, list):
        key = next((k for k in key if isinstance(k, dict)), None)
    key_id = pem = None
    if isinstance(key, dict) and isinstance(key.get("publicKeyPem"), str):
        key_id, pem = id_of(key), key["publicKeyPem"]
        if key.get("owner") not in (None, uri):
            raise FetchError("the actor's key belongs to another actor")
    return {
        "uri": uri,
        "type": doc["type"],
        "host": host_of(uri),
        "preferred_username": doc.get("preferredUsername")
        if isinstance(doc.get("preferredUsername"), str)
        else None,
        "name": doc.get("name") if isinstance(doc.get("name"), str) else None,
        "inbox": inbox,
        "shared_inbox": shared if isinstance(shared, str) and origin_of(shared) == origin_of(uri) else None,
        "followers": doc.get("followers") if isinstance(doc.get("followers"), str) else None,
        "key_id": key_id,
        "public_key_pem": pem,
        "document": doc,
    }


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
        uri = urldefrag(uri)[0]
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
            owner = doc.get("owner")
            if not isinstance(owner, str) or origin_of(owner) != origin_of(key_id):
                raise FetchError("the key document names no owner on its own server")
            actor = await self.get(owner, refresh=True)
        if actor.key_id != key_id:
            raise FetchError("the signer's actor does not publish this key")
        return actor


def _checked(fields: dict[str, Any], fetched_from: str) -> dict[str, Any]:
    if fields["uri"] != fetched_from:
        raise FetchError("the actor's id differs from the URL it was fetched from")
    return fields
