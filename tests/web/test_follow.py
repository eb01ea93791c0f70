"""Follow from your server over real HTTP: the visitor's server is looked up on a loopback peer and
the visitor is sent to its follow page (303), or shown how to follow by hand; the form is protected
against cross-site requests though nobody signs in."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from tests.support.peer import Peer
from tests.web.http import Page, client, get


async def post(http: httpx.AsyncClient, handle: str, token: str, **headers: str) -> Page:
    resp = await http.post("/c/news/follow", data={"handle": handle, "csrf_token": token}, headers=headers)
    return Page(resp.status_code, resp.headers, resp.text)


async def test_a_visitor_is_sent_to_their_servers_follow_page(instance, peer: Peer) -> None:
    inst = await instance()
    await inst.community("news")
    peer.person("me")
    peer.subscribe_template = f"{peer.base}/authorize_interaction?uri={{uri}}"
    async with client(inst.base) as http:
        page = await get(http, "/c/news")
        assert "fedicom-csrf" in page.headers["set-cookie"] and "HttpOnly" in page.headers["set-cookie"]
        assert "SameSite=lax" in page.headers["set-cookie"]
        answer = await post(
            http, f"@me@{peer.base.removeprefix('http://')}", page.csrf_token(), Origin=inst.base
        )
    assert answer.status == 303
    assert (
        answer.headers["location"]
        == f"{peer.base}/authorize_interaction?uri={quote(inst.base + '/c/news', safe='')}"
    )


async def test_without_a_template_the_page_explains_how_to_follow_by_hand(instance, peer: Peer) -> None:
    inst = await instance()
    await inst.community("news", title="Daily News")
    peer.person("me")
    async with client(inst.base) as http:
        token = (await get(http, "/c/news/follow")).csrf_token()
        page = await post(http, f"me@{peer.base.removeprefix('http://')}", token)
    assert page.status == 200
    assert "offers no page to follow" in page.text and "127.0.0.1" in page.text
    assert f'value="@news@{inst.settings.domain}"' in page.text  # the handle, ready to copy
    for software in ("Mastodon", "Lemmy", "Mbin and Kbin", "PieFed", "Misskey", "Friendica"):
        assert f"<dt>{software}" in page.text
    assert f"!news@{inst.settings.domain}" in page.text  # Lemmy and PieFed search for !community@host
    assert (
        '<div class="app detected">\n<dt>Other software <span class="badge">your server</span>' in page.text
    )


async def test_bad_handles_get_a_clear_error_on_the_page(instance, peer: Peer) -> None:
    inst = await instance()
    await inst.community("news")
    async with client(inst.base) as http:
        token = (await get(http, "/c/news/follow")).csrf_token()
        no_server = await post(http, "alice", token)
        junk = await post(http, "@al ice@x.example", token)
        unknown = await post(http, f"@nobody@{peer.base.removeprefix('http://')}", token)
    assert no_server.status == 400
    assert "“alice” is not a full handle: it needs your server too." in no_server.text
    assert "Type your fediverse handle as @name@your.server" in no_server.text
    assert 'id="handle-error" role="alert"' in no_server.text and 'aria-invalid="true"' in no_server.text
    assert 'value="alice"' in no_server.text  # what they typed stays, to correct it
    assert junk.status == 400 and "“al ice” is not a valid account name." in junk.text
    assert unknown.status == 404 and "knows no account @nobody@127.0.0.1" in unknown.text


async def test_the_form_is_refused_without_the_cookie_token_pair(instance, peer: Peer) -> None:
    inst = await instance()
    await inst.community("news")
    peer.person("me")
    peer.subscribe_template = f"{peer.base}/authorize_interaction?uri={{uri}}"
    handle = f"@me@{peer.base.removeprefix('http://')}"
    async with client(inst.base) as http:
        token = (await get(http, "/c/news")).csrf_token()
        forged = await post(http, handle, "0" * 64)
        other_site = await post(http, handle, token, Origin="https://evil.example")
        cross_site = await post(http, handle, token, **{"Sec-Fetch-Site": "cross-site"})
    async with client(inst.base) as stranger:  # a token stolen from someone else's page, without their cookie
        no_cookie = await post(stranger, handle, token)
    for page in (forged, no_cookie):
        assert page.status == 403 and "The form has expired or did not come from this site" in page.text
    assert other_site.status == 403 and f"Forms of this site are sent from {inst.base}" in other_site.text
    assert cross_site.status == 403 and "This form cannot be sent from another site." in cross_site.text


async def test_an_oversized_form_is_refused_unread(instance) -> None:
    inst = await instance()
    await inst.community("news")
    async with client(inst.base) as http:
        token = (await get(http, "/c/news")).csrf_token()
        big = await post(http, "x" * 20_000 + "@example.org", token)
    assert big.status == 413 and "larger than 16384 bytes" in big.text


async def test_look_ups_are_limited_per_visitor(instance, peer: Peer) -> None:
    inst = await instance()
    await inst.community("news")
    handle = f"@nobody@{peer.base.removeprefix('http://')}"
    async with client(inst.base) as http:
        token = (await get(http, "/c/news/follow")).csrf_token()
        answers = [await post(http, handle, token) for _ in range(11)]
    assert [a.status for a in answers] == [404] * 10 + [429]
    assert "Too many server look-ups from your address: try again in" in answers[-1].text
