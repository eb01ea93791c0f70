"""Fetching remote documents against a real HTTP server on loopback: every refusal a hostile peer earns."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from fedicom.activitypub.fetch import AS2_ACCEPT, Fetcher, actor_link
from fedicom.activitypub.netguard import make_client_session
from fedicom.activitypub.signatures import (
    IncomingRequest,
    generate_key_pem,
    load_private_key,
    signature_key_id,
    verify_request,
)
from fedicom.errors import BadRequest, FetchError, Gone, PayloadTooLarge

AS2 = "application/activity+json"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Peer:
    """A loopback server whose routes each test sets; it records every request it receives."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.seen: list[web.Request] = []
        self.base = ""

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(request)
        handler = self.routes.get(request.path)
        if handler is None:
            return web.Response(status=404)
        return await handler(request)

    def json(self, path: str, doc: Any, *, content_type: str = AS2, status: int = 200) -> None:
        async def handler(request: web.Request) -> web.Response:
            return web.Response(
                body=json.dumps(doc).encode(), status=status, headers={"Content-Type": content_type}
            )

        self.routes[path] = handler

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        async def handler(request: web.Request) -> web.Response:
            return web.Response(status=status, headers={"Location": location})

        self.routes[path] = handler


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    peer = Peer()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", peer.dispatch)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    peer.base = f"http://{host}:{port}"
    yield peer
    await runner.cleanup()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with make_client_session(allow_private=True, user_agent="fedicom-test") as session:
        yield session


def _person(peer: Peer, name: str = "alice") -> dict[str, Any]:
    return {"id": f"{peer.base}/u/{name}", "type": "Person", "preferredUsername": name}


async def test_fetch_returns_the_document_and_asks_for_as2(
    peer: Peer, session: aiohttp.ClientSession
) -> None:
    peer.json("/u/alice", _person(peer))
    doc = await Fetcher(session, allow_private=True).get_json(f"{peer.base}/u/alice")
    assert doc == _person(peer)
    assert peer.seen[0].headers["Accept"] == AS2_ACCEPT
    assert peer.seen[0].headers["User-Agent"] == "fedicom-test"
    assert "Signature" not in peer.seen[0].headers


@pytest.mark.parametrize(
    "content_type",
    [
        "application/activity+json; charset=utf-8",
        'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
        "application/json",
        "Application/JRD+JSON",
    ],
)
async def test_all_json_content_types_are_accepted(
    peer: Peer, session: aiohttp.ClientSession, content_type: str
) -> None:
    peer.json("/u/alice", _person(peer), content_type=content_type)
    assert await Fetcher(session, allow_private=True).get_json(f"{peer.base}/u/alice") == _person(peer)


async def test_signed_fetch_verifies_on_the_server(peer: Peer, session: aiohttp.ClientSession) -> None:
    """Servers in authorized-fetch mode check the instance actor's signature on every GET."""
    private_pem, public_pem = generate_key_pem()
    key_id = f"{peer.base}/actor#main-key"
    verified: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        req = IncomingRequest(method=request.method, url=str(request.url), headers=request.headers, body=b"")
        verify_request(req, public_pem)
        verified.append(signature_key_id(req))
        return web.json_response(_person(peer), content_type=AS2)

    peer.routes["/u/alice"] = handler
    fetcher = Fetcher(session, allow_private=True, signer=(key_id, load_private_key(private_pem)))
    await fetcher.get_json(f"{peer.base}/u/alice")
    assert verified == [key_id]
    assert 'headers="(request-target) host date"' in peer.seen[0].headers["Signature"]


async def test_body_over_the_limit_is_refused_while_streaming(
    peer: Peer, session: aiohttp.ClientSession
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": AS2})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(10):
            await response.write(b" " * 500)
        await response.write_eof()
        return response

    peer.routes["/big"] = handler
    with pytest.raises(PayloadTooLarge):
        await Fetcher(session, allow_private=True, max_bytes=2000).get_json(f"{peer.base}/big")


async def test_declared_length_over_the_limit_is_refused_up_front(
    peer: Peer, session: aiohttp.ClientSession
) -> None:
    peer.json("/big", {"padding": "x" * 5000})
    with pytest.raises(PayloadTooLarge, match="larger than 2000 bytes"):
        await Fetcher(session, allow_private=True, max_bytes=2000).get_json(f"{peer.base}/big")


@pytest.mark.parametrize("status", [404, 410])
async def test_missing_or_deleted_document_is_gone(
    peer: Peer, session: aiohttp.ClientSession, status: int
) -> None:
    peer.json("/u/alice", {"type": "Tombstone"}, status=status)
    with pytest.raises(Gone, match=str(status)):
        await Fetcher(session, allow_private=True).get_json(f"{peer.base}/u/alice")


async def test_server_error_is_a_fetch_error_naming_the_status(
    peer: Peer, session: aiohttp.ClientSession
) -> None:
    peer.json("/u/alice", {}, status=503)
    with pytest.raises(FetchError, match="503") as caught:
        await Fetcher(session, allow_private=True).get_json(f"{peer.base}/u/alice")
    assert not isinstance(caught.value, Gone)


async def test_html_is_refused(peer: Peer, session: aiohttp.ClientSession) -> None:
    peer.json("/u/alice", _person(peer), content_type="text/html")
    with pytest.raises(FetchError, match="text/html"):
        await Fetcher(session, allow_private=True).get_json(f"{peer.base}/u/alice")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'"a string"', "not a JSON object"),
        (b"[" * 100_000, "nests deeper than 64 levels"),
        (b'{"id": "\xed\xa0\x80"}', "not valid UTF-8"),
        (b'{"n": ' + b"9" * 5000 + b"}", "number longer than"),
    ],
)
async def test_invalid_json_or_non_object_is_refused(
    peer: Peer, session: aiohttp.ClientSession, body: bytes, reason: str
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, headers={"Content-Type": AS2})

    peer.routes["/doc"] = handler
    with pytest.raises(FetchError, match=reason):
        await Fetcher(session, allow_private=True, max_bytes=200_000).get_json(f"{peer.base}/doc")


@pytest.mark.parametrize(
    "ident", ["https://elsewhere.example/u/alice", "http://127.0.0.1:1/u/alice", "urn:uuid:1234", 42]
)
async def test_document_with_a_foreign_id_is_refused(
    peer: Peer, session: aiohttp.ClientSession, ident: object
) -> None:
    peer.json("/u/alice", {"id": ident, "type": "Person"})
    with pytest.raises(FetchError, match="foreign id"):
        await Fetcher(session, allow_private=True).get_json(f"{peer.base}/u/alice")


async def test_redirect_is_followed_and_each_hop_signed(peer: Peer, session: aiohttp.ClientSession) -> None:
    private_pem, public_pem = generate_key_pem()
    peer.redirect("/@alice", "/u/alice", status=301)
    peer.json("/u/alice", _person(peer))
    fetcher = Fetcher(
        session, allow_private=True, signer=(f"{peer.base}/actor#main-key", load_private_key(private_pem))
    )
    assert await fetcher.get_json(f"{peer.base}/@alice") == _person(peer)
    assert [r.path for r in peer.seen] == ["/@alice", "/u/alice"]
    for request in peer.seen:
        verify_request(IncomingRequest("GET", str(request.url), request.headers, b""), public_pem)


async def test_redirect_target_is_checked_before_it_is_followed(
    peer: Peer, session: aiohttp.ClientSession
) -> None:
    peer.redirect("/u/alice", "file:///etc/passwd")
    with pytest.raises(FetchError, match="not an http or https URL"):
        await Fetcher(session, allow_private=True).get_json(f"{peer.base}/u/alice")


class _Redirecting:
    """A stand-in for a public server (production fetches cannot reach loopback): it always redirects."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.urls: list[str] = []
        self.status = 302
        self.headers = {"Location": location}

    def get(self, url: str, **kwargs: Any) -> _Redirecting:
        self.urls.append(url)
        return self

    async def __aenter__(self) -> _Redirecting:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None


async def test_redirect_into_private_address_is_refused_in_production() -> None:
    """A public server cannot bounce a production fetch onto loopback."""
    server = _Redirecting("https://127.0.0.1/admin")
    fetcher = Fetcher(server, allow_private=False)  # type: ignore[arg-type]
    with pytest.raises(FetchError, match="not public"):
        await fetcher.get_json("https://social.example/u/alice")
    assert server.urls == ["https://social.example/u/alice"]


async def test_too_many_redirects_are_refused(peer: Peer, session: aiohttp.ClientSession) -> None:
    for i in range(5):
        peer.redirect(f"/hop{i}", f"/hop{i + 1}")
    peer.json("/hop5", {"type": "Note"})
    with pytest.raises(FetchError, match="more than 3 redirects"):
        await Fetcher(session, allow_private=True).get_json(f"{peer.base}/hop0")
    assert len(peer.seen) == 4


async def test_slow_server_times_out(peer: Peer, session: aiohttp.ClientSession) -> None:
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response({})

    peer.routes["/slow"] = handler
    with pytest.raises(FetchError, match="timed out"):
        await Fetcher(session, allow_private=True, timeout=0.2).get_json(f"{peer.base}/slow")


async def test_connection_refused_is_a_fetch_error(session: aiohttp.ClientSession) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchError, match="failed"):
        await Fetcher(session, allow_private=True).get_json(f"http://127.0.0.1:{port}/u/alice")


@pytest.mark.parametrize(
    "template", ["{base}/u/alice", "https://127.0.0.1:{port}/u/alice", "https://localhost/u"]
)
async def test_loopback_is_refused_before_connecting_in_production(peer: Peer, template: str) -> None:
    url = template.format(base=peer.base, port=peer.base.rsplit(":", 1)[1])
    async with make_client_session(allow_private=False, user_agent="fedicom-test") as session:
        with pytest.raises(FetchError):
            await Fetcher(session, allow_private=False).get_json(url)
    assert peer.seen == []


# WebFinger


def _jrd(peer: Peer) -> dict[str, Any]:
    host = peer.base.removeprefix("http://")
    return {
        "subject": f"acct:alice@{host}",
        "links": [
            {
                "rel": "http://webfinger.net/rel/profile-page",
                "type": "text/html",
                "href": f"{peer.base}/@alice",
            },
            {"rel": "self", "type": AS2, "href": f"{peer.base}/u/alice"},
        ],
    }


@pytest.mark.parametrize("form", ["@alice@{host}", "alice@{host}", "acct:alice@{host}"])
async def test_webfinger_resolves_every_handle_form(
    peer: Peer, session: aiohttp.ClientSession, form: str
) -> None:
    host = peer.base.removeprefix("http://")
    peer.json("/.well-known/webfinger", _jrd(peer), content_type="application/jrd+json")
    jrd = await Fetcher(session, allow_private=True).webfinger(form.format(host=host))
    assert actor_link(jrd) == f"{peer.base}/u/alice"
    assert peer.seen[0].query["resource"] == f"acct:alice@{host}"
    assert "application/jrd+json" in peer.seen[0].headers["Accept"]


@pytest.mark.parametrize("handle", ["alice", "@alice", "alice@", "@@host", "alice@host/path", "alice@ho st"])
async def test_webfinger_refuses_what_is_not_a_handle(session: aiohttp.ClientSession, handle: str) -> None:
    with pytest.raises(BadRequest):
        await Fetcher(session, allow_private=True).webfinger(handle)


async def test_webfinger_uses_https_in_production() -> None:
    class _Stub:
        def get(self, url: str, **kwargs: Any) -> Any:
            raise aiohttp.ClientConnectionError(f"would fetch {url}")

    with pytest.raises(
        FetchError, match=r"https://social\.example/\.well-known/webfinger\?resource=acct:a@social"
    ):
        await Fetcher(_Stub(), allow_private=False).webfinger("a@social.example")  # type: ignore[arg-type]


def test_actor_link_picks_the_as2_self_link() -> None:
    jrd = {
        "links": [
            {"rel": "self", "type": "text/html", "href": "https://x.example/@a"},
            {"rel": "http://webfinger.net/rel/profile-page", "type": AS2, "href": "https://x.example/p"},
            {
                "rel": "self",
                "type": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
                "href": "https://x.example/users/a",
            },
        ]
    }
    assert actor_link(jrd) == "https://x.example/users/a"


@pytest.mark.parametrize(
    "jrd", [{}, {"links": "nope"}, {"links": [{"rel": "self", "type": AS2}]}, {"links": [None, 3]}]
)
def test_actor_link_is_none_without_a_usable_link(jrd: dict[str, Any]) -> None:
    assert actor_link(jrd) is None
