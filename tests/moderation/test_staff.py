"""Staff accounts: argon2id hashes, who acts for the CLI, and the Person actor others verify us by."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from fedicom.activitypub.signatures import IncomingRequest, sign_request, verify_request
from fedicom.errors import BadRequest, NotFound
from fedicom.moderation.staff import acting, create_staff, password_matches
from tests.support.peer import Peer
from tests.support.servers import Instance

AS2 = "application/activity+json"


async def test_password_is_stored_as_argon2id_and_checked(
    instance: Callable[..., Awaitable[Instance]],
) -> None:
    await instance()
    staff = await create_staff("alice", "correct horse battery", is_admin=True)
    assert staff.password_hash.startswith("$argon2id$")
    assert "correct horse" not in staff.password_hash
    assert password_matches(staff.password_hash, "correct horse battery")
    assert not password_matches(staff.password_hash, "correct horse battery!")
    assert not password_matches("not a hash", "correct horse battery")


@pytest.mark.parametrize(
    ("name", "password", "reason"),
    [
        ("Bad Name", "long enough pw", "not a valid name"),
        ("bob", "short", "at least 10"),
        ("news", "long enough pw", "already a community"),
    ],
)
async def test_bad_staff_accounts_are_refused(
    instance: Callable[..., Awaitable[Instance]], name: str, password: str, reason: str
) -> None:
    inst = await instance()
    await inst.community("news")
    with pytest.raises(BadRequest, match=reason):
        await create_staff(name, password)


async def test_acting_staff_is_the_named_one_or_the_only_admin(
    instance: Callable[..., Awaitable[Instance]],
) -> None:
    await instance()
    with pytest.raises(BadRequest, match="no staff account yet"):
        await acting(None)
    first = await create_staff("alice", "correct horse battery", is_admin=True)
    await create_staff("mod", "correct horse battery")
    assert (await acting(None)).id == first.id
    assert (await acting("mod")).username == "mod"
    with pytest.raises(NotFound):
        await acting("nobody")
    await create_staff("carol", "correct horse battery", is_admin=True)
    with pytest.raises(BadRequest, match="--as"):
        await acting(None)


async def test_person_actor_is_served_and_its_key_verifies_our_signatures(
    instance: Callable[..., Awaitable[Instance]], peer: Peer
) -> None:
    inst = await instance()
    await create_staff("alice", "correct horse battery", is_admin=True)
    uri = inst.site.staff_uri("alice")
    doc = await peer.get(uri)
    assert doc["type"] == "Person" and doc["id"] == uri and doc["preferredUsername"] == "alice"
    assert doc["publicKey"]["owner"] == uri and doc["inbox"] == f"{uri}/inbox"
    key_id, key = await inst.fed.keys.signer(uri)
    body = b'{"type":"Delete"}'
    url = "http://x.example/inbox"
    headers = sign_request(method="POST", url=url, body=body, key_id=key_id, private_key=key)
    verify_request(IncomingRequest("POST", url, headers, body), doc["publicKey"]["publicKeyPem"])
    status, _, _ = await peer.get_status(inst.site.staff_uri("nobody"))
    assert status == 404
