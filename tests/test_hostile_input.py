"""Issue 9: no input from the network causes a 500, and nothing accepted crashes its processing.

One test per case the hostile-request run found, against a real instance on loopback and a real
signing peer; each asserts the 4xx and its one-sentence reason, or that processing finished.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest

from fedicom.activitypub.models import InboxItem
from fedicom.activitypub.signatures import sign_request
from fedicom.groups.models import Post
from tests.support.peer import PUBLIC, Peer, Person
from tests.support.servers import Instance
from tests.support.steps import join, processed, until

BAD_KEY_IDS = {
    "empty label": "http://a..b/k",
    "70-character label": "http://" + "a" * 70 + ".example/k",
    "unclosed IPv6 bracket": "http://[::1/k",
    "IPv6 that is not hex": "http://[zz]/k",
}


async def news(instance: Any) -> tuple[Instance, str]:
    inst = await instance()
    await inst.community("news", title="News")
    return inst, f"{inst.base}/c/news"


def error_of(response: httpx.Response) -> str:
    doc = response.json()
    assert set(doc) == {"error"} and "\n" not in doc["error"], doc
    return str(doc["error"])


async def raw_post(url: str, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as http:
        return await http.post(
            url, content=body, headers={"Content-Type": "application/activity+json", **(headers or {})}
        )


def signed_as(person: Person, url: str, body: bytes | None, *, key_id: str | None = None) -> dict[str, str]:
    return sign_request(
        method="POST" if body is not None else "GET",
        url=url,
        body=body,
        key_id=key_id or person.key_id,
        private_key=person.private_key,
    )


# --- JSON the parser used to crash on


@pytest.mark.parametrize("depth", [100_000, 900])
async def test_json_nested_deeper_than_64_levels_is_a_bad_request(instance, depth: int) -> None:
    _, group = await news(instance)
    response = await raw_post(f"{group}/inbox", b"[" * depth + b"]" * depth)
    assert response.status_code == 400
    assert error_of(response) == "the body nests deeper than 64 levels"
    assert not await InboxItem.exists()


async def test_a_number_of_5000_digits_is_a_bad_request(instance) -> None:
    _, group = await news(instance)
    response = await raw_post(f"{group}/inbox", b'{"id": ' + b"7" * 5000 + b"}")
    assert response.status_code == 400
    assert error_of(response) == "the body holds a number longer than 64 characters"


async def test_a_validly_signed_body_with_an_encoded_lone_surrogate_is_refused(instance, peer: Peer) -> None:
    # Given: a body whose bytes ED A0 80 encode U+D800, signed correctly by a known actor
    _, group = await news(instance)
    alice = peer.person("alice")
    await join(peer, alice, group)
    follow = json.dumps(peer.activity("Follow", alice, group)).encode()
    body = follow.replace(b'"Follow"', b'"Follow", "summary": "\xed\xa0\x80"')
    # When / Then: refused as what it is, before the signature is even looked at
    response = await raw_post(f"{group}/inbox", body, signed_as(alice, f"{group}/inbox", body))
    assert response.status_code == 400
    assert error_of(response) == "the body is not valid UTF-8"


async def test_lone_surrogate_escapes_in_a_post_are_stored_and_shown_as_replacement_characters(
    instance, peer: Peer
) -> None:
    """A JavaScript server that cut a string between the halves of a UTF-16 pair loses no post."""
    _, group = await news(instance)
    alice = peer.person("alice")
    await join(peer, alice, group)
    note = peer.note(alice, "<p>cut emoji \ud83d</p>", to=[PUBLIC], cc=[group], name="Title \udc00")
    create = peer.activity("Create", alice, note, to=[PUBLIC], cc=[group])
    body = json.dumps(create).encode()  # ensure_ascii: the lone halves travel as \ud83d, \udc00
    assert b"\\ud83d" in body

    response = await raw_post(f"{group}/inbox", body, signed_as(alice, f"{group}/inbox", body))

    assert response.status_code == 202, response.text
    item = await processed(create["id"])
    assert item.error is None and "\\ud83d" not in item.payload
    post = await Post.get(object_id=note["id"])
    assert post.content == "<p>cut emoji \ufffd</p>" and post.title == "Title \ufffd"


async def test_a_legacy_stored_payload_beyond_the_bounds_is_ignored_without_crashing(instance) -> None:
    # Given: an inbox row stored before the reader was bounded (900 levels deep)
    await news(instance)
    now = time.time()
    deep = '{"type": "Create", "object": ' + "[" * 900 + "]" * 900 + "}"
    await InboxItem.create(
        activity_id="https://old.example/a/1",
        actor="https://old.example/u/a",
        payload=deep,
        next_try_at=now,
        received_at=now,
    )
    # Then: the processor finishes it (ignored) and carries on
    item = await processed("https://old.example/a/1")
    assert item.state == "done"


# --- URLs and hosts the parser used to crash on


@pytest.mark.parametrize("key_id", BAD_KEY_IDS.values(), ids=BAD_KEY_IDS.keys())
async def test_a_post_signed_with_a_keyid_that_is_not_a_url_is_a_bad_request(
    instance, peer: Peer, key_id: str
) -> None:
    _, group = await news(instance)
    alice = peer.person("alice")
    body = json.dumps(peer.activity("Follow", alice, group)).encode()
    response = await raw_post(f"{group}/inbox", body, signed_as(alice, f"{group}/inbox", body, key_id=key_id))
    assert response.status_code == 400
    assert error_of(response).startswith("the keyId is not a valid URL: ")


@pytest.mark.parametrize("key_id", BAD_KEY_IDS.values(), ids=BAD_KEY_IDS.keys())
async def test_a_signed_get_with_a_keyid_that_is_not_a_url_is_a_bad_request(
    instance, peer: Peer, key_id: str
) -> None:
    _, group = await news(instance)
    alice = peer.person("alice")
    for path in ("/featured", "/followers", ""):
        headers = signed_as(alice, f"{group}{path}", None, key_id=key_id)
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.get(
                f"{group}{path}", headers={**headers, "Accept": "application/activity+json"}
            )
        assert response.status_code == 400, path
        assert error_of(response).startswith("the keyId is not a valid URL: ")


async def test_a_keyid_longer_than_its_column_is_a_bad_request(instance, peer: Peer) -> None:
    _, group = await news(instance)
    alice = peer.person("alice")
    body = json.dumps(peer.activity("Follow", alice, group)).encode()
    key_id = f"{alice.uri}#{'k' * 1100}"
    response = await raw_post(f"{group}/inbox", body, signed_as(alice, f"{group}/inbox", body, key_id=key_id))
    assert response.status_code == 400
    assert "longer than 1024 characters" in error_of(response)


async def test_an_activity_id_longer_than_its_column_is_refused_and_others_are_still_stored(
    instance, peer: Peer
) -> None:
    """One over-long id must not fail the group commit that other senders' activities share."""
    _, group = await news(instance)
    alice, bob = peer.person("alice"), peer.person("bob")
    long_follow = peer.activity("Follow", alice, group)
    long_follow["id"] += "x" * 1100
    good_follow = peer.activity("Follow", bob, group)

    (long_status, long_text), (good_status, _) = await asyncio.gather(
        peer.post(alice, f"{group}/inbox", long_follow), peer.post(bob, f"{group}/inbox", good_follow)
    )

    assert long_status == 400 and "the activity id is not a valid URL" in json.loads(long_text)["error"]
    assert good_status == 202
    assert (await processed(good_follow["id"])).error is None


# --- names from URLs longer than any column


@pytest.mark.parametrize(
    "path",
    [
        "/u/" + "n" * 300,
        "/c/" + "n" * 300,
        "/c/" + "n" * 300 + "/outbox",
        "/c/" + "n" * 300 + "/featured",
        "/activities/" + "a" * 1100,
        "/c/n%00ws",
        "/u/n%00ws",
    ],
)
async def test_a_name_no_column_can_hold_is_simply_not_found(instance, path: str) -> None:
    inst, _ = await news(instance)
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(inst.base + path, headers={"Accept": "application/activity+json"})
    assert response.status_code == 404
    assert len(error_of(response)) < 200


@pytest.mark.parametrize("resource", ["acct:{long}@{domain}", "acct:n\x00ws@{domain}", "{base}/c/{long}"])
async def test_webfinger_for_a_name_no_column_can_hold_is_not_found(instance, resource: str) -> None:
    inst, _ = await news(instance)
    value = resource.format(long="n" * 300, domain=inst.settings.domain, base=inst.base)
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(f"{inst.base}/.well-known/webfinger", params={"resource": value})
    assert response.status_code == 404
    assert error_of(response)


# --- page numbers


@pytest.mark.parametrize("page", ["99999999999999999999", "²", "0", "-1", "1.5", "", "\uff11"])
@pytest.mark.parametrize(
    ("path", "accept"),
    [("/c/news/outbox", "application/activity+json"), ("/c/news", "text/html"), ("/modlog", "text/html")],
)
async def test_a_page_that_is_not_a_small_ascii_number_is_a_bad_request(
    instance, path: str, accept: str, page: str
) -> None:
    inst, _ = await news(instance)
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(inst.base + path, params={"page": page}, headers={"Accept": accept})
    assert response.status_code == 400
    if accept != "text/html":
        assert error_of(response).startswith("page must be a whole number from 1 to")


async def test_an_outbox_page_far_past_the_end_is_empty(instance) -> None:
    _, group = await news(instance)
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(f"{group}/outbox", params={"page": "1000000"})
    assert response.status_code == 200 and response.json()["orderedItems"] == []


# --- values inside accepted activities


async def test_a_post_with_an_unstorable_url_and_time_is_stored_without_them(instance, peer: Peer) -> None:
    """A link longer than its column and a date that cannot be converted to UTC never crash processing."""
    _, group = await news(instance)
    alice = peer.person("alice")
    await join(peer, alice, group)
    note = peer.note(
        alice,
        "<p>hello</p>",
        to=[PUBLIC],
        cc=[group],
        url="https://peer.example/" + "u" * 2000,
        published="0001-01-01T00:00:00+14:00",
    )
    create = peer.activity("Create", alice, note, to=[PUBLIC], cc=[group])
    assert (await peer.post(alice, f"{group}/inbox", create))[0] == 202
    item = await processed(create["id"])
    assert item.error is None
    post = await until(lambda: Post.get_or_none(object_id=note["id"]))
    assert post.url is None and post.published.year >= 2026


async def test_an_activity_naming_an_id_longer_than_any_column_is_refused(instance, peer: Peer) -> None:
    """Found by the fuzz test: a Create of `object: "https://…<1100 chars>"` crashed the post lookup."""
    _, group = await news(instance)
    alice = peer.person("alice")
    await join(peer, alice, group)
    create = peer.activity("Create", alice, f"{peer.base}/objects/{'x' * 1100}", to=[PUBLIC], cc=[group])
    status, text = await peer.post(alice, f"{group}/inbox", create)
    assert status == 400
    assert json.loads(text)["error"] == "the activity's object names an id longer than 1024 characters"
