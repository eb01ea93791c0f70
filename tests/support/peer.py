"""A small fediverse server on loopback hosting Person actors, for end-to-end tests.

It behaves like a Mastodon/Lemmy peer where it matters: WebFinger, actor documents with keys,
signed POSTs and GETs, and an inbox that verifies every signature with the sender's fetched key.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from fedicom.activitypub.signatures import (
    IncomingRequest,
    generate_key_pem,
    load_private_key,
    sign_request,
    signature_key_id,
    verify_request,
)

AS = "https://www.w3.org/ns/activitystreams"
PUBLIC = f"{AS}#Public"
_POOL: list[tuple[str, str]] = []
_counter = itertools.count()


def test_key() -> tuple[str, str]:
    """A key pair from a small pool generated once per run (RSA generation is slow)."""
    i = next(_counter) % 8
    while len(_POOL) <= i:
        _POOL.append(generate_key_pem())
    return _POOL[i]


@dataclass
class Person:
    uri: str
    name: str
    private_pem: str
    public_pem: str
    shared_inbox: bool = True
    doc_extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key_id(self) -> str:
        return f"{self.uri}#main-key"

    @property
    def inbox(self) -> str:
        return f"{self.uri}/inbox"

    @property
    def private_key(self) -> RSAPrivateKey:
        return load_private_key(self.private_pem)

    def document(self, base: str) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "@context": [AS, "https://w3id.org/security/v1"],
            "id": self.uri,
            "type": "Person",
            "preferredUsername": self.name,
            "name": self.name.title(),
            "inbox": self.inbox,
            "outbox": f"{self.uri}/outbox",
            "followers": f"{self.uri}/followers",
            "publicKey": {"id": self.key_id, "owner": self.uri, "publicKeyPem": self.public_pem},
        }
        if self.shared_inbox:
            doc["endpoints"] = {"sharedInbox": f"{base}/inbox"}
        doc.update(self.doc_extra)
        return doc


@dataclass
class Received:
    path: str
    activity: dict[str, Any]
    signer: str


class Peer:
    """Start with `await peer.start()`; stop with `await peer.stop()`."""

    def __init__(self) -> None:
        self.people: dict[str, Person] = {}
        self.objects: dict[str, dict[str, Any]] = {}
        self.received: list[Received] = []
        self.rejected: list[str] = []
        self.base = ""
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._arrived = asyncio.Event()
        self.announce_delay = 0.0  # seconds to hold each Announce before answering (a slow server)
        self.subscribe_template: str | None = None  # OStatus remote-follow link in WebFinger (Mastodon's)
        self.software: str | None = None  # the name its NodeInfo gives; None: it serves no NodeInfo

    async def start(self, host: str = "127.0.0.1") -> str:
        """Serve on `host` (any 127.x.y.z address is loopback: several peers, several servers)."""
        app = web.Application()
        app.router.add_get("/.well-known/webfinger", self._webfinger)
        app.router.add_get("/users/{name}", self._actor)
        app.router.add_post("/users/{name}/inbox", self._inbox)
        app.router.add_post("/inbox", self._inbox)
        app.router.add_get("/objects/{oid}", self._object)
        app.router.add_get("/.well-known/nodeinfo", self._nodeinfo_index)
        app.router.add_get("/nodeinfo/2.1", self._nodeinfo)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://{host}:{port}"
        # idle connections are dropped before uvicorn's (5 s): a POST on one it is closing at that
        # moment is reset, and a POST is never retried
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(keepalive_timeout=2))
        return self.base

    async def stop(self) -> None:
        if self._session:
            await self._session.close()
        if self._runner:
            await self._runner.cleanup()

    def person(self, name: str, **kw: Any) -> Person:
        private_pem, public_pem = test_key()
        p = Person(
            uri=f"{self.base}/users/{name}", name=name, private_pem=private_pem, public_pem=public_pem, **kw
        )
        self.people[name] = p
        return p

    # --- what the peer serves
    async def _webfinger(self, request: web.Request) -> web.Response:
        resource = request.query.get("resource", "")
        name = resource.removeprefix("acct:").split("@")[0]
        if name not in self.people:
            return web.json_response({"error": "not found"}, status=404)
        p = self.people[name]
        links: list[dict[str, str]] = [{"rel": "self", "type": "application/activity+json", "href": p.uri}]
        if self.subscribe_template:
            rel = "http://ostatus.org/schema/1.0/subscribe"
            links.append({"rel": rel, "template": self.subscribe_template})
        return web.json_response({"subject": resource, "links": links}, content_type="application/jrd+json")

    async def _nodeinfo_index(self, request: web.Request) -> web.Response:
        if self.software is None:
            return web.json_response({"error": "not found"}, status=404)
        rel = "http://nodeinfo.diaspora.software/ns/schema/2.1"
        return web.json_response({"links": [{"rel": rel, "href": f"{self.base}/nodeinfo/2.1"}]})

    async def _nodeinfo(self, request: web.Request) -> web.Response:
        if self.software is None:
            return web.json_response({"error": "not found"}, status=404)
        software = {"name": self.software, "version": "1.0.0"}
        return web.json_response({"version": "2.1", "software": software, "protocols": ["activitypub"]})

    async def _actor(self, request: web.Request) -> web.Response:
        p = self.people.get(request.match_info["name"])
        if p is None:
            return web.json_response({"error": "gone"}, status=410)
        return web.json_response(p.document(self.base), content_type="application/activity+json")

    async def _object(self, request: web.Request) -> web.Response:
        doc = self.objects.get(f"{self.base}/objects/{request.match_info['oid']}")
        if doc is None:
            return web.json_response({"error": "not found"}, status=404)
        return web.json_response(doc, content_type="application/activity+json")

    async def _inbox(self, request: web.Request) -> web.Response:
        body = await request.read()
        req = IncomingRequest(method="POST", url=str(request.url), headers=dict(request.headers), body=body)
        try:
            key_id = signature_key_id(req)
            actor = await self.get(key_id.split("#")[0])
            verify_request(req, actor["publicKey"]["publicKeyPem"])
        except Exception as exc:  # record, answer 401 like a real server
            self.rejected.append(f"{type(exc).__name__}: {exc}")
            return web.json_response({"error": str(exc)}, status=401)
        activity = json.loads(body)
        if self.announce_delay and activity.get("type") == "Announce":
            await asyncio.sleep(self.announce_delay)
        self.received.append(Received(request.path, activity, actor["id"]))
        self._arrived.set()
        return web.Response(status=202)

    # --- what the peer does
    async def get(
        self, url: str, *, signer: Person | None = None, accept: str = "application/activity+json"
    ) -> Any:
        assert self._session
        headers = {"Accept": accept}
        if signer:
            headers = sign_request(
                method="GET",
                url=url,
                body=None,
                key_id=signer.key_id,
                private_key=signer.private_key,
                headers=headers,
            )
        async with self._session.get(url, headers=headers) as resp:
            resp.raise_for_status()
            return await resp.json(content_type=None)

    async def get_status(
        self, url: str, *, accept: str = "application/activity+json"
    ) -> tuple[int, str, str]:
        assert self._session
        async with self._session.get(url, headers={"Accept": accept}) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), await resp.text()

    async def post(
        self,
        person: Person,
        inbox: str,
        activity: dict[str, Any],
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        """POST an activity signed by `person` (or send the given body/headers as they are)."""
        assert self._session
        data = body if body is not None else json.dumps(activity).encode()
        if headers is None:
            headers = sign_request(
                method="POST", url=inbox, body=data, key_id=person.key_id, private_key=person.private_key
            )
        async with self._session.post(inbox, data=data, headers=headers) as resp:
            return resp.status, await resp.text()

    def new_id(self, kind: str = "activities") -> str:
        return f"{self.base}/{kind}/{uuid.uuid4()}"

    def note(
        self, author: Person, content: str, *, to: list[str], cc: list[str] | None = None, **extra: Any
    ) -> dict[str, Any]:
        oid = self.new_id("objects")
        note = {
            "id": oid,
            "type": "Note",
            "attributedTo": author.uri,
            "content": content,
            "to": to,
            "cc": cc or [],
            "published": "2026-11-22T10:00:00Z",
            **extra,
        }
        self.objects[oid] = note
        return note

    def activity(self, kind: str, actor: Person, obj: Any, **extra: Any) -> dict[str, Any]:
        return {"@context": AS, "id": self.new_id(), "type": kind, "actor": actor.uri, "object": obj, **extra}

    def received_of(self, kind: str, *, inner: str | None = None) -> list[dict[str, Any]]:
        out = []
        for r in self.received:
            a = r.activity
            if a.get("type") != kind:
                continue
            if inner is not None:
                o = a.get("object")
                if not (isinstance(o, dict) and o.get("type") == inner) and not (
                    inner == "uri" and isinstance(o, str)
                ):
                    continue
            out.append(a)
        return out

    async def wait_for(self, predicate: Any, timeout: float = 10.0) -> Any:
        """Wait until predicate() returns something truthy (polling as deliveries arrive)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out waiting; received: {[r.activity.get('type') for r in self.received]}"
                )
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), timeout=min(remaining, 0.2))
            except TimeoutError:
                pass


@contextlib.asynccontextmanager
async def serving(host: str = "127.0.0.1") -> AsyncIterator[Peer]:
    """A peer serving on `host` (any 127.x.y.z: one address per simulated server), stopped after."""
    p = Peer()
    await p.start(host)
    try:
        yield p
    finally:
        await p.stop()
