"""Inbox discipline end to end: every POST is verified before anything is stored or processed.

A real fedicom instance on loopback and a real peer exchanging signed HTTP; each test names the
guarantee it checks (federation.md §2.8, §3.4).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from fedicom.activitypub.models import InboxItem, OutgoingActivity
from fedicom.activitypub.signatures import (
    generate_key_pem,
    load_private_key,
    sign_request,
    sign_request_rfc9421,
)
from tests.support.peer import PUBLIC, Peer, Person
from tests.support.servers import Instance
from tests.support.steps import join


async def community(instance: Any, **settings: Any) -> tuple[Instance, str]:
    inst = await instance(**settings)
    await inst.community("news", title="News")
    return inst, f"{inst.base}/c/news"


async def stored_when_done(activity_id: str, timeout: float = 10.0) -> InboxItem:
    """The stored inbox item once the processor has handled it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        item = await InboxItem.get_or_none(activity_id=activity_id)
        if item is not None and item.state != "pending":
            return item
        await asyncio.sleep(0.02)
    raise AssertionError(f"{activity_id} was not processed in {timeout} s")


def signed(
    person: Person, url: str, body: bytes, *, private_pem: str | None = None, now: float | None = None
) -> dict[str, str]:
    key = load_private_key(private_pem or person.private_pem)
    return sign_request(method="POST", url=url, body=body, key_id=person.key_id, private_key=key, now=now)


def error_of(text: str) -> str:
    doc = json.loads(text)
    assert set(doc) == {"error"} and isinstance(doc["error"], str) and doc["error"], doc
    assert "\n" not in doc["error"]
    return str(doc["error"])


# --- refused before anything is stored


async def test_signature_by_a_key_the_actor_does_not_publish_is_refused(instance, peer: Peer) -> None:
    inst, group_uri = await community(instance)
    alice = peer.person("alice")
    follow = peer.activity("Follow", alice, group_uri)
    body = json.dumps(follow).encode()
    stranger_pem, _ = generate_key_pem()

    status, text = await peer.post(
        alice,
        f"{inst.base}/inbox",
        follow,
        body=body,
        headers=signed(alice, f"{inst.base}/inbox", body, private_pem=stranger_pem),
    )

    assert status == 401, text
    error_of(text)
    assert await InboxItem.all().count() == 0


async def test_signature_whose_key_cannot_be_fetched_is_refused(instance, peer: Peer) -> None:
    """A keyId naming an actor its server says is gone is the sender's problem: 401, not a 5xx."""
    inst, group_uri = await community(instance)
    alice = peer.person("alice")
    ghost = Person(
        uri=f"{peer.base}/users/ghost",
        name="ghost",
        private_pem=alice.private_pem,
        public_pem=alice.public_pem,
    )
    follow = peer.activity("Follow", ghost, group_uri)

    status, text = await peer.post(ghost, f"{inst.base}/inbox", follow)

    assert status == 401, text
    assert "key" in error_of(text)
    assert await InboxItem.all().count() == 0


@pytest.mark.parametrize(("offset", "reason"), [(-7200, "expired"), (7200, "future")])
async def test_a_date_two_hours_off_is_refused(instance, peer: Peer, offset: int, reason: str) -> None:
    """Two hours old or ahead is past Mastodon's window (5 min expiry + 1 h skew)."""
    inst, group_uri = await community(instance)
    alice = peer.person("alice")
    follow = peer.activity("Follow", alice, group_uri)
    body = json.dumps(follow).encode()

    status, text = await peer.post(
        alice,
        f"{inst.base}/inbox",
        follow,
        body=body,
        headers=signed(alice, f"{inst.base}/inbox", body, now=time.time() + offset),
    )

    assert status == 401, text
    assert reason in error_of(text)
    assert await InboxItem.all().count() == 0


async def test_body_changed_after_signing_is_refused(instance, peer: Peer) -> None:
    inst, group_uri = await community(instance)
    alice = peer.person("alice")
    follow = peer.activity("Follow", alice, group_uri)
    headers = signed(alice, f"{inst.base}/inbox", json.dumps(follow).encode())
    tampered = json.dumps({**follow, "object": f"{inst.base}/c/other"}).encode()

    status, text = await peer.post(alice, f"{inst.base}/inbox", follow, body=tampered, headers=headers)

    assert status == 401, text
    assert "Digest" in error_of(text)
    assert await InboxItem.all().count() == 0


async def test_activity_signed_by_someone_else_than_its_actor_is_forbidden(instance, peer: Peer) -> None:
    inst, group_uri = await community(instance)
    alice, bob = peer.person("alice"), peer.person("bob")
    forged = peer.activity("Follow", alice, group_uri)

    status, text = await peer.post(bob, f"{inst.base}/inbox", forged)

    assert status == 403, text
    error_of(text)
    assert await InboxItem.all().count() == 0


async def test_activity_id_on_another_server_than_its_actor_is_forbidden(instance, peer: Peer) -> None:
    inst, group_uri = await community(instance)
    alice = peer.person("alice")
    follow = {**peer.activity("Follow", alice, group_uri), "id": "https://elsewhere.example/activities/1"}

    status, text = await peer.post(alice, f"{inst.base}/inbox", follow)

    assert status == 403, text
    error_of(text)
    assert await InboxItem.all().count() == 0


async def test_unsigned_post_is_refused_with_a_one_line_json_reason(instance, peer: Peer) -> None:
    inst, group_uri = await community(instance)
    alice = peer.person("alice")
    follow = peer.activity("Follow", alice, group_uri)

    status, text = await peer.post(
        alice,
        f"{inst.base}/inbox",
        follow,
        body=json.dumps(follow).encode(),
        headers={"Content-Type": "application/activity+json"},
    )

    assert status == 401, text
    assert "not signed" in error_of(text)
    assert await InboxItem.all().count() == 0


async def test_body_over_the_size_limit_is_refused(instance, peer: Peer) -> None:
    inst, group_uri = await community(instance, max_body_bytes=2048)
    alice = peer.person("alice")
    note = peer.note(alice, "x" * 4096, to=[PUBLIC], cc=[group_uri])
    create = peer.activity("Create", alice, note, to=[PUBLIC], cc=[group_uri])

    status, text = await peer.post(alice, f"{inst.base}/inbox", create)

    assert status == 413, text
    assert "2048" in error_of(text)
    assert await InboxItem.all().count() == 0


async def test_body_over_the_size_limit_is_refused_without_content_length(instance, peer: Peer) -> None:
    """A chunked body announces no length; reading stops at the limit all the same."""
    import aiohttp

    inst, group_uri = await community(instance, max_body_bytes=2048)
    alice = peer.person("alice")
    note = peer.note(alice, "x" * 8192, to=[PUBLIC], cc=[group_uri])
    body = json.dumps(peer.activity("Create", alice, note, to=[PUBLIC], cc=[group_uri])).encode()
    headers = signed(alice, f"{inst.base}/inbox", body)

    async def chunks():  # type: ignore[no-untyped-def]
        for i in range(0, len(body), 1024):
            yield body[i : i + 1024]

    async with aiohttp.ClientSession() as session:
        async with session.post(f"{inst.base}/inbox", data=chunks(), headers=headers) as resp:
            assert "Content-Length" not in resp.request_info.headers
            assert resp.status == 413
    assert await InboxItem.all().count() == 0


async def test_malformed_json_is_a_bad_request(instance, peer: Peer) -> None:
    inst, _ = await community(instance)
    alice = peer.person("alice")
    body = b'{"type": "Follow", "actor": '

    status, text = await peer.post(
        alice, f"{inst.base}/inbox", {}, body=body, headers=signed(alice, f"{inst.base}/inbox", body)
    )

    assert status == 400, text
    assert "JSON" in error_of(text)
    assert await InboxItem.all().count() == 0


@pytest.mark.parametrize("missing", ["id", "type", "actor"])
async def test_activity_without_id_type_or_actor_is_a_bad_request(instance, peer: Peer, missing: str) -> None:
    inst, group_uri = await community(instance)
    alice = peer.person("alice")
    follow = peer.activity("Follow", alice, group_uri)
    del follow[missing]

    status, text = await peer.post(alice, f"{inst.base}/inbox", follow)

    assert status == 400, text
    assert missing in error_of(text)
    assert await InboxItem.all().count() == 0


# --- accepted once, whatever the path


async def test_the_same_activity_posted_twice_is_processed_once(instance, peer: Peer) -> None:
    inst, group_uri = await community(instance)
    alice = peer.person("alice")
    await join(peer, alice, group_uri)
    note = peer.note(alice, "<p>Once</p>", to=[PUBLIC], cc=[group_uri])
    create = peer.activity("Create", alice, note, to=[PUBLIC], cc=[group_uri])

    # Given: delivered to the shared inbox and to the group inbox, then retried later
    assert (await peer.post(alice, f"{inst.base}/inbox", create))[0] == 202
    assert (await peer.post(alice, f"{group_uri}/inbox", create))[0] == 202
    await stored_when_done(create["id"])
    assert (await peer.post(alice, f"{inst.base}/inbox", create))[0] == 202
    # and a later activity, processed after anything stored before it
    like = peer.activity("Like", alice, note["id"])
    assert (await peer.post(alice, f"{inst.base}/inbox", like))[0] == 202
    await stored_when_done(like["id"])

    # Then: one stored item, one announce of the Create
    assert await InboxItem.filter(activity_id=create["id"]).count() == 1
    assert await OutgoingActivity.filter(type="Announce", inner_type="Create").count() == 1
    await peer.wait_for(lambda: peer.received_of("Announce", inner="Create"))
    await peer.wait_for(lambda: peer.received_of("Announce", inner="Like"))
    assert len(peer.received_of("Announce", inner="Create")) == 1


async def test_a_rotated_key_is_refetched_and_the_old_key_refused(instance, peer: Peer) -> None:
    inst, group_uri = await community(instance)
    alice = peer.person("alice")
    await join(peer, alice, group_uri)  # fedicom now holds alice's first key
    old_private_pem = alice.private_pem

    # When alice's server rotates her key
    alice.private_pem, alice.public_pem = generate_key_pem()
    note = peer.note(alice, "<p>New key</p>", to=[PUBLIC], cc=[group_uri])
    create = peer.activity("Create", alice, note, to=[PUBLIC], cc=[group_uri])

    # Then her next POST, signed with the new key, is accepted after one refetch
    status, text = await peer.post(alice, f"{inst.base}/inbox", create)
    assert status == 202, text
    await peer.wait_for(lambda: peer.received_of("Announce", inner="Create"))

    # and a POST signed with the old key is refused
    like = peer.activity("Like", alice, note["id"])
    body = json.dumps(like).encode()
    status, text = await peer.post(
        alice,
        f"{inst.base}/inbox",
        like,
        body=body,
        headers=signed(alice, f"{inst.base}/inbox", body, private_pem=old_private_pem),
    )
    assert status == 401, text
    assert not await InboxItem.exists(activity_id=like["id"])


async def test_rfc9421_signed_post_is_accepted(instance, peer: Peer) -> None:
    _, group_uri = await community(instance)
    alice = peer.person("alice")
    follow = peer.activity("Follow", alice, group_uri)
    body = json.dumps(follow).encode()
    headers = sign_request_rfc9421(
        method="POST", url=f"{group_uri}/inbox", body=body, key_id=alice.key_id, private_key=alice.private_key
    )
    assert "Signature-Input" in headers

    status, text = await peer.post(alice, f"{group_uri}/inbox", follow, body=body, headers=headers)

    assert status == 202, text
    accepts = await peer.wait_for(lambda: peer.received_of("Accept"))
    assert accepts[0]["object"] == follow


async def test_rfc9421_signature_over_another_body_is_refused(instance, peer: Peer) -> None:
    _, group_uri = await community(instance)
    alice = peer.person("alice")
    follow = peer.activity("Follow", alice, group_uri)
    headers = sign_request_rfc9421(
        method="POST",
        url=f"{group_uri}/inbox",
        body=json.dumps(follow).encode(),
        key_id=alice.key_id,
        private_key=alice.private_key,
    )
    tampered = json.dumps({**follow, "id": peer.new_id()}).encode()

    status, text = await peer.post(alice, f"{group_uri}/inbox", follow, body=tampered, headers=headers)

    assert status == 401, text
    assert await InboxItem.all().count() == 0


async def test_signed_get_of_the_group_actor_is_answered(instance, peer: Peer) -> None:
    """Authorized-fetch peers sign every GET; the group actor and the instance actor answer them."""
    inst, group_uri = await community(instance)
    alice = peer.person("alice")

    group = await peer.get(group_uri, signer=alice)
    app = await peer.get(f"{inst.base}/actor", signer=alice)

    assert group["id"] == group_uri and group["type"] == "Group"
    assert app["type"] == "Application" and app["publicKey"]["owner"] == app["id"]


@pytest.mark.parametrize("path", ["/inbox", "/c/news/inbox"], ids=["shared-inbox", "group-inbox"])
async def test_shared_inbox_and_group_inbox_both_accept_follows(instance, peer: Peer, path: str) -> None:
    inst, group_uri = await community(instance)
    alice = peer.person("alice")
    follow = peer.activity("Follow", alice, group_uri)

    status, text = await peer.post(alice, f"{inst.base}{path}", follow)

    assert status == 202, text
    accept = (await peer.wait_for(lambda: peer.received_of("Accept")))[0]
    assert accept["object"] == follow and accept["actor"] == group_uri
    item = await InboxItem.get(activity_id=follow["id"])
    assert item.recipient == (group_uri if path.startswith("/c/") else None)
    assert not peer.rejected, peer.rejected


async def test_inbox_of_an_unknown_community_is_not_found(instance, peer: Peer) -> None:
    inst, _ = await community(instance)
    alice = peer.person("alice")
    follow = peer.activity("Follow", alice, f"{inst.base}/c/nothere")

    status, text = await peer.post(alice, f"{inst.base}/c/nothere/inbox", follow)

    assert status == 404, text
    error_of(text)
    assert await InboxItem.all().count() == 0
