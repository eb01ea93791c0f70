"""Following from one's own server: handles parsed, WebFinger templates read, NodeInfo consulted,
against real HTTP servers on loopback."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from fedicom.activitypub.fetch import Fetcher
from fedicom.activitypub.netguard import make_client_session
from fedicom.activitypub.remote_interaction import (
    Handle,
    discover,
    fill,
    parse_handle,
    subscribe_template,
)
from fedicom.activitypub.software import nodeinfo_href
from fedicom.errors import BadRequest, FetchError, NotFound

SUBSCRIBE = "http://ostatus.org/schema/1.0/subscribe"
GROUP = "https://community.example/c/news"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("@alice@mastodon.example", Handle("alice", "mastodon.example")),
        ("  alice@Mastodon.Example  ", Handle("alice", "mastodon.example")),
        ("acct:alice@lemmy.example", Handle("alice", "lemmy.example")),
        ("@bob.smith@friendica.example:8443", Handle("bob.smith", "friendica.example:8443")),
        ("https://mastodon.example/@alice", Handle("alice", "mastodon.example")),
        ("https://lemmy.example/u/alice", Handle("alice", "lemmy.example")),
        ("@zoë@bücher.example", Handle("zoë", "xn--bcher-kva.example")),
    ],
)
def test_handles_are_read_as_people_type_them(typed: str, expected: Handle) -> None:
    assert parse_handle(typed) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "No handle was given"),
        ("alice", "“alice” is not a full handle: it needs your server too"),
        ("@alice", "is not a full handle"),
        ("@alice@", "is not a valid server name"),
        ("@@mastodon.example", "is not a valid account name"),
        ("@al ice@mastodon.example", "is not a valid account name"),
        ("@alice@mastodon.example/path", "is not a valid server name"),
        ("@alice@-bad-.example", "is not a valid server name"),
        ("@a<script>@x.example", "is not a valid account name"),
        ("https://mastodon.example/about", "is a web address, not a handle"),
        ("javascript:alert(1)@x.example", "is not a valid account name"),
    ],
)
def test_bad_handles_are_refused_with_how_to_type_one(typed: str, reason: str) -> None:
    with pytest.raises(BadRequest, match=reason) as caught:
        parse_handle(typed)
    assert "Type your fediverse handle as @name@your.server" in caught.value.reason


def test_the_subscribe_template_is_taken_only_as_a_web_url_with_a_slot() -> None:
    def jrd(*templates: Any) -> dict[str, Any]:
        return {"links": [{"rel": SUBSCRIBE, "template": t} for t in templates]}

    mastodon = "https://mastodon.example/authorize_interaction?uri={uri}"
    assert subscribe_template(jrd(mastodon)) == mastodon
    assert subscribe_template(jrd("javascript:alert(1)//{uri}", mastodon)) == mastodon
    assert subscribe_template(jrd("https://x.example/follow")) is None  # no {uri}
    assert subscribe_template(jrd("http://x.example/follow?u={uri}")) is None  # plain http outside dev
    assert subscribe_template(jrd("http://x.example/follow?u={uri}"), allow_http=True) is not None
    assert subscribe_template(jrd(None, 42)) is None
    assert subscribe_template({"links": "nope"}) is None
    assert subscribe_template({}) is None


def test_the_uri_is_filled_in_encoded() -> None:
    filled = fill("https://misskey.example/authorize-follow?acct={uri}", GROUP)
    assert (
        filled == "https://misskey.example/authorize-follow?acct=https%3A%2F%2Fcommunity.example%2Fc%2Fnews"
    )


def test_the_newest_nodeinfo_schema_is_chosen() -> None:
    index = {
        "links": [
            {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": "https://x.example/ni/2.1"},
            {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": "https://x.example/ni/2.0"},
            {"rel": "https://example.org/other", "href": "https://x.example/other"},
        ]
    }
    assert nodeinfo_href(index) == "https://x.example/ni/2.1"
    assert nodeinfo_href({"links": []}) is None


class Server:
    """A loopback fediverse server whose documents each test sets."""

    def __init__(self) -> None:
        self.docs: dict[str, Any] = {}
        self.base = ""

    async def answer(self, request: web.Request) -> web.Response:
        key = request.path
        doc = self.docs.get(key)
        if doc is None:
            return web.Response(status=404)
        return web.Response(body=json.dumps(doc).encode(), content_type="application/json")


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    s = Server()
    app = web.Application()
    app.router.add_get("/{tail:.*}", s.answer)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    s.base = f"http://{host}:{port}"
    yield s
    await runner.cleanup()


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with make_client_session(allow_private=True, user_agent="fedicom-test") as session:
        yield Fetcher(session, allow_private=True, timeout=3)


def jrd_of(server: Server, *links: dict[str, Any]) -> dict[str, Any]:
    me = {"rel": "self", "type": "application/activity+json", "href": f"{server.base}/users/me"}
    return {"links": [me, *links]}


def handle_on(server: Server) -> str:
    return f"@me@{server.base.removeprefix('http://')}"


async def test_a_server_with_a_subscribe_template_gets_the_visitor_sent_there(server, fetcher) -> None:
    template = f"{server.base}/authorize_interaction?uri={{uri}}"
    server.docs["/.well-known/webfinger"] = jrd_of(server, {"rel": SUBSCRIBE, "template": template})
    found = await discover(fetcher, handle_on(server), GROUP, allow_http=True)
    assert found.url == f"{server.base}/authorize_interaction?uri=https%3A%2F%2Fcommunity.example%2Fc%2Fnews"
    assert found.server == server.base and found.software is None


async def test_a_mastodon_without_a_template_gets_its_authorize_interaction_page(server, fetcher) -> None:
    server.docs["/.well-known/webfinger"] = jrd_of(server)
    server.docs["/.well-known/nodeinfo"] = {
        "links": [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": f"{server.base}/ni"}]
    }
    server.docs["/ni"] = {"version": "2.0", "software": {"name": "Mastodon", "version": "4.3.0"}}
    found = await discover(fetcher, handle_on(server), GROUP, allow_http=True)
    assert found.software == "mastodon"
    assert found.url == f"{server.base}/authorize_interaction?uri=https%3A%2F%2Fcommunity.example%2Fc%2Fnews"


async def test_other_servers_without_a_template_get_instructions_for_their_software(server, fetcher) -> None:
    server.docs["/.well-known/webfinger"] = jrd_of(server)
    server.docs["/.well-known/nodeinfo"] = {
        "links": [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": f"{server.base}/ni"}]
    }
    server.docs["/ni"] = {"version": "2.1", "software": {"name": "lemmy", "version": "0.19.5"}}
    found = await discover(fetcher, handle_on(server), GROUP, allow_http=True)
    assert (found.url, found.software) == (None, "lemmy")


async def test_a_server_without_nodeinfo_still_gets_the_instructions(server, fetcher) -> None:
    server.docs["/.well-known/webfinger"] = jrd_of(server)
    found = await discover(fetcher, handle_on(server), GROUP, allow_http=True)
    assert (found.url, found.software) == (None, None)


async def test_an_unknown_account_is_reported_as_such(server, fetcher) -> None:
    with pytest.raises(NotFound, match=r"knows no account @me@127\.0\.0\.1:\d+: check the spelling"):
        await discover(fetcher, handle_on(server), GROUP, allow_http=True)


async def test_an_unreachable_server_is_reported_with_the_reason(fetcher) -> None:
    with pytest.raises(
        FetchError, match=r"Could not reach your server to look up @me@127\.0\.0\.1:9: .* failed"
    ):
        await discover(fetcher, "@me@127.0.0.1:9", GROUP, allow_http=True)


async def test_private_addresses_are_refused_outside_development() -> None:
    async with make_client_session(allow_private=False, user_agent="fedicom-test") as session:
        fetcher = Fetcher(session, allow_private=False, timeout=3)
        reason = "Could not reach your server to look up @me@127.0.0.1: The address 127.0.0.1 is not public"
        with pytest.raises(FetchError, match=re.escape(reason)):
            await discover(fetcher, "@me@127.0.0.1", GROUP, allow_http=False)
