"""The admin API over real HTTP: bearer tokens, scopes, per-community authority, bounded and validated
bodies, one `{"error": …}` shape, and each endpoint doing what the CLI does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from fedicom.groups.models import Group, Moderator
from fedicom.moderation.api import openapi_document
from fedicom.moderation.api.registry import api
from fedicom.moderation.models import DomainBlock, ModlogEntry
from fedicom.moderation.moderators import add_moderator
from fedicom.staff.accounts import create_staff
from fedicom.staff.models import ApiToken, Staff
from fedicom.staff.tokens import create_token
from tests.moderation.helpers import PASSWORD
from tests.support.peer import Peer
from tests.support.servers import Instance
from tests.support.steps import until


class Admin:
    """An admin (root), a moderator (mia) of `news`, and `other`, which mia does not moderate."""

    def __init__(self, inst: Instance, client: httpx.AsyncClient) -> None:
        self.inst, self.client = inst, client

    async def token(self, username: str, scopes: list[str], **kw: Any) -> str:
        staff = await Staff.get(username=username)
        return (await create_token(staff, "test", scopes, **kw))[1]

    async def call(self, method: str, path: str, secret: str | None, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        return await self.client.request(method, f"/api/v1/admin{path}", headers=headers, **kw)


@pytest.fixture
async def admin(instance: Callable[..., Awaitable[Instance]]) -> AsyncIterator[Admin]:
    inst = await instance()
    await create_staff("root", PASSWORD, is_admin=True)
    await create_staff("mia", PASSWORD)
    news = await inst.community("news")
    await inst.community("other")
    root = inst.site.staff_uri("root")
    await add_moderator(inst.groups, news, root, by=root, role="owner")
    await add_moderator(inst.groups, news, inst.site.staff_uri("mia"), by=root)
    async with httpx.AsyncClient(base_url=inst.base) as client:
        yield Admin(inst, client)


async def test_missing_unknown_expired_and_revoked_tokens_get_401_with_a_reason(admin: Admin) -> None:
    good = await admin.token("root", ["admin"])
    expired = await admin.token("root", ["admin"], lifetime=timedelta(hours=1))
    await (
        ApiToken.filter(name="test")
        .exclude(expires_at=None)
        .update(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    )
    cases = {
        None: "an API token is required: send Authorization: Bearer fdc_…",
        "fdc_nope": "the token is unknown",
        expired: "the token has expired",
    }
    for secret, reason in cases.items():
        r = await admin.call("POST", "/staff", secret, json={"username": "eve", "password": PASSWORD})
        assert r.status_code == 401 and r.json() == {"error": reason}, r.text
        assert r.headers["www-authenticate"].startswith("Bearer")
    basic = await admin.client.get("/api/v1/admin/me", headers={"Authorization": "Basic cm9vdDpw"})
    assert basic.status_code == 401 and "Bearer" in basic.json()["error"]

    [own] = [t for t in (await admin.call("GET", "/tokens", good)).json() if t["state"] == "active"]
    assert (await admin.call("DELETE", f"/tokens/{own['id']}", good)).status_code == 204
    r = await admin.call("GET", "/me", good)
    assert r.status_code == 401 and r.json() == {"error": "the token was revoked"}
    assert not await Staff.exists(username="eve")


async def test_scopes_are_nested_and_checked(admin: Admin) -> None:
    read = await admin.token("root", ["read"])
    r = await admin.call("POST", "/blocks", read, json={"domain": "spam.example"})
    assert r.status_code == 403 and r.json() == {"error": "the token lacks the admin scope"}
    r = await admin.call("PATCH", "/communities/news", read, json={"title": "News!"})
    assert r.status_code == 403 and "moderate scope" in r.json()["error"]
    assert (await admin.call("GET", "/communities/news", read)).status_code == 200
    # a token cannot mint a token with more power than it has
    r = await admin.call("POST", "/tokens", read, json={"name": "x", "scopes": ["admin"]})
    assert r.status_code == 403 and "lacks the admin scope" in r.json()["error"]
    # an admin scope on a moderator's token cannot be had
    mod = await admin.token("mia", ["moderate"])
    r = await admin.call(
        "POST", "/tokens", mod, json={"name": "x", "scopes": ["moderate"], "expires_in": "7d"}
    )
    assert r.status_code == 201 and r.json()["secret"].startswith("fdc_") and r.json()["expires_at"]
    assert (await admin.call("GET", "/staff", mod)).status_code == 403
    assert not await DomainBlock.exists()


async def test_a_moderator_acts_only_on_communities_they_moderate(admin: Admin) -> None:
    mod = await admin.token("mia", ["moderate"])
    listed = await admin.call("GET", "/communities", mod)
    assert [c["name"] for c in listed.json()] == ["news"]

    r = await admin.call("PATCH", "/communities/other", mod, json={"title": "Hijacked"})
    assert r.status_code == 403 and r.json() == {"error": "mia does not moderate other"}
    r = await admin.call("GET", "/modlog", mod, params={"community": "other"})
    assert r.status_code == 403
    assert (await Group.get(name="other")).title == "other"

    r = await admin.call("PATCH", "/communities/news", mod, json={"title": "News and views", "max_links": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["title"], body["max_links"], body["moderators"][0]["role"]) == ("News and views", 2, "owner")
    # a moderator who is no owner cannot add moderators
    r = await admin.call("POST", "/communities/news/moderators", mod, json={"moderator": "root"})
    assert r.status_code in (400, 403)
    r = await admin.call("POST", "/communities/other/moderators", mod, json={"moderator": "mia"})
    assert r.status_code == 403
    assert await Moderator.filter(group__name="other").count() == 0


async def test_bodies_are_bounded_and_validated(admin: Admin) -> None:
    root = await admin.token("root", ["admin"])
    big = b'{"name": "x", "summary": "' + b"a" * 70_000 + b'"}'
    r = await admin.call("POST", "/communities", root, content=big)
    assert r.status_code == 413 and "larger than 65536 bytes" in r.json()["error"]
    r = await admin.call("POST", "/communities", root, content=b"{not json")
    assert r.status_code == 400 and r.json() == {"error": "the body is not valid JSON"}
    r = await admin.call("POST", "/communities", root, content=b"")
    assert r.status_code == 400 and r.json() == {"error": "a JSON body is required"}
    r = await admin.call("POST", "/communities", root, json=["news"])
    assert r.status_code == 422 and r.json() == {"error": "the body must be a JSON object"}
    r = await admin.call("POST", "/communities", root, json={"name": "Bad Name"})
    assert r.status_code == 422 and r.json()["error"].startswith("body name: String should match pattern")
    r = await admin.call("POST", "/communities", root, json={"name": "x", "colour": "red"})
    assert r.status_code == 422 and "colour" in r.json()["error"]
    r = await admin.call("PATCH", "/communities/news", root, json={"title": None})
    assert r.status_code == 422 and "title cannot be null" in r.json()["error"]
    r = await admin.call("GET", "/modlog", root, params={"limit": "0"})
    assert r.status_code == 422 and r.json()["error"].startswith("query limit:")
    r = await admin.call("DELETE", "/tokens/abc", root)
    assert r.status_code == 422 and r.json()["error"].startswith("path id:")
    assert not await Group.exists(name="x")


async def test_staff_tokens_communities_blocks_and_modlog_end_to_end(admin: Admin) -> None:
    root = await admin.token("root", ["admin"])
    made = await admin.call(
        "POST", "/staff", root, json={"username": "sam", "password": PASSWORD, "display_name": "Sam"}
    )
    assert made.status_code == 201 and made.json()["actor"] == admin.inst.site.staff_uri("sam")
    assert [s["username"] for s in (await admin.call("GET", "/staff", root)).json()] == ["mia", "root", "sam"]
    taken = await admin.call("POST", "/communities", root, json={"name": "sam"})
    assert taken.status_code == 400 and "staff member's name" in taken.json()["error"]

    sam = await admin.token("sam", ["read"])
    assert (await admin.call("GET", "/me", sam)).json()["username"] == "sam"
    assert (await admin.call("DELETE", "/staff/sam", root)).status_code == 204
    assert (await admin.call("GET", "/me", sam)).status_code == 401
    mine = await admin.call("DELETE", "/staff/root", root)
    assert mine.status_code == 400 and "your own account" in mine.json()["error"]

    created = await admin.call(
        "POST", "/communities", root, json={"name": "books", "rules": "Be kind.", "premoderation": "all"}
    )
    assert created.status_code == 201, created.text
    assert created.json()["premoderation"] == "all"
    assert created.json()["moderators"][0]["staff"] == "root"
    assert (await admin.call("GET", "/communities/books", root)).json()["rules"] == "Be kind."
    assert (await admin.call("GET", "/communities/nothing", root)).status_code == 404

    blocked = await admin.call(
        "POST", "/blocks", root, json={"domain": "Spam.Example", "public_comment": "spam"}
    )
    assert blocked.status_code == 201 and blocked.json()["cleanup"]["state"] == "pending"
    cleanup = f"/cleanups/{blocked.json()['cleanup']['job']}"

    async def cleaned() -> dict[str, Any] | None:
        found = (await admin.call("GET", cleanup, root)).json()
        return found if found["state"] == "done" else None

    finished = await until(cleaned)
    assert (finished["what"], finished["target"], finished["counts"]["members_removed"]) == (
        "suspend",
        "spam.example",
        0,
    )
    assert [b["domain"] for b in (await admin.call("GET", "/blocks", root)).json()] == ["spam.example"]
    own = await admin.call("POST", "/blocks", root, json={"domain": admin.inst.site.domain})
    assert own.status_code == 400 and "own domain" in own.json()["error"]
    assert (await admin.call("DELETE", "/blocks/spam.example", root)).status_code == 204
    gone = await admin.call("DELETE", "/blocks/spam.example", root)
    assert gone.status_code == 404 and gone.json() == {"error": "spam.example is not blocked"}

    log = (await admin.call("GET", "/modlog", root)).json()
    actions = [e["action"] for e in log]
    assert {"create_staff", "remove_staff", "block_domain", "unblock_domain"} <= set(actions)
    scoped = (await admin.call("GET", "/modlog", root, params={"community": "books"})).json()
    assert [e["action"] for e in scoped] == ["create_community"]
    assert await ModlogEntry.filter(moderator=admin.inst.site.staff_uri("root")).count() >= 5


async def test_the_openapi_document_is_served_and_lists_every_declared_endpoint(admin: Admin) -> None:
    r = await admin.client.get("/api/v1/admin/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc == openapi_document(admin.inst.base)
    declared = {(ep.path, ep.method.lower()) for ep in api.endpoints}
    documented = {(path, method) for path, methods in doc["paths"].items() for method in methods}
    assert declared == documented
    op = doc["paths"]["/communities/{name}"]["patch"]
    assert op["x-scope"] == "moderate" and "413" in op["responses"] and "401" in op["responses"]
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


async def test_the_admin_api_manages_aliases_of_communities_the_caller_moderates(
    admin: Admin, peer: Peer
) -> None:
    brand = peer.person("brand")
    mia = await admin.token("mia", ["moderate"])
    handle = f"@brand@{peer.base.removeprefix('http://')}"

    made = await admin.call("POST", "/communities/news/aliases", mia, json={"account": handle})
    assert made.status_code == 201, made.text
    assert made.json()["account"] == brand.uri and made.json()["moved_at"] is None
    assert [a["account"] for a in (await admin.call("GET", "/communities/news/aliases", mia)).json()] == [
        brand.uri
    ]
    theirs = await admin.call("POST", "/communities/other/aliases", mia, json={"account": handle})
    assert theirs.status_code == 403  # mia does not moderate `other`
    unknown = await admin.call("POST", "/communities/news/aliases", mia, json={"account": "nobody"})
    assert unknown.status_code == 400 and "neither a handle" in unknown.json()["error"]

    gone = await admin.call("DELETE", "/communities/news/aliases", mia, params={"account": brand.uri})
    assert gone.status_code == 204
    again = await admin.call("DELETE", "/communities/news/aliases", mia, params={"account": brand.uri})
    assert again.status_code == 404 and "is not an alias of news" in again.json()["error"]


async def test_the_admin_api_moves_a_community_and_shows_where_it_went(admin: Admin, peer: Peer) -> None:
    old = f"{admin.inst.base}/c/news"
    home = peer.person("news", doc_extra={"type": "Group"})
    root, mia = await admin.token("root", ["moderate"]), await admin.token("mia", ["moderate"])
    assert (await admin.call("GET", "/communities/news/move", mia)).json() == {
        "moved_to": None,
        "moved_at": None,
        "grace_ends": None,
    }

    unlisted = await admin.call("POST", "/communities/news/move", root, json={"to": home.uri})
    assert unlisted.status_code == 400 and f"does not list {old} in alsoKnownAs" in unlisted.json()["error"]
    home.doc_extra["alsoKnownAs"] = [old]
    by_moderator = await admin.call("POST", "/communities/news/move", mia, json={"to": home.uri})
    assert by_moderator.status_code == 403 and "only an owner of news" in by_moderator.json()["error"]

    moved = await admin.call("POST", "/communities/news/move", root, json={"to": home.uri})
    assert moved.status_code == 200, moved.text
    state = moved.json()
    assert state["moved_to"] == home.uri
    grace = datetime.fromisoformat(state["grace_ends"]) - datetime.fromisoformat(state["moved_at"])
    assert grace == timedelta(days=90)
    assert (await admin.call("GET", "/communities/news/move", mia)).json() == state
    [follow] = await peer.wait_for(lambda: [a for a in peer.received_of("Follow") if a["object"] == home.uri])
    assert follow["actor"] == old  # the old community follows its new home, to pass its posts on
    [move] = await peer.wait_for(lambda: peer.received_of("Move"))
    assert (move["actor"], move["object"], move["target"]) == (old, old, home.uri)
    again = await admin.call("POST", "/communities/news/move", root, json={"to": home.uri})
    assert again.status_code == 400 and "has already moved" in again.json()["error"]
