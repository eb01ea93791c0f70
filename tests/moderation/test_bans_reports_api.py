"""The admin API's bans and reports: the same services as the CLI, behind a token's scope and the
caller's communities."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fedicom.errors import BadRequest
from fedicom.moderation import reports
from fedicom.moderation.models import Ban, ModlogEntry, Report
from fedicom.staff.accounts import create_staff
from fedicom.staff.models import Staff
from fedicom.staff.tokens import create_token
from tests.moderation.helpers import PASSWORD, moderator
from tests.support.peer import Peer
from tests.support.servers import Instance


async def tokens(inst: Instance) -> dict[str, str]:
    """Bearer headers: an admin, news's moderator, and that moderator with a read-only token."""
    await inst.community("news")
    await inst.community("pets")
    admin = await create_staff("admin", PASSWORD, is_admin=True)
    mod = await moderator(inst, "news")
    return {
        "admin": (await create_token(admin, "t", ["admin"]))[1],
        "mod": (await create_token(mod, "t", ["moderate"]))[1],
        "reader": (await create_token(mod, "t", ["read"]))[1],
    }


async def call(inst: Instance, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=f"{inst.base}/api/v1/admin") as client:
        return await client.request(method, path, headers={"Authorization": f"Bearer {who}"}, **kw)


async def test_ban_and_lift_through_the_api(instance, peer: Peer) -> None:
    inst: Instance = await instance(hostname="localhost")
    t = await tokens(inst)
    troll = peer.person("troll")
    body = {"actor": troll.uri, "community": "news", "reason": "spam", "expires": "7d", "remove_data": True}

    assert (await call(inst, t["reader"], "POST", "/bans", json=body)).status_code == 403
    elsewhere = await call(inst, t["mod"], "POST", "/bans", json={**body, "community": "pets"})
    assert elsewhere.status_code == 403 and "does not moderate pets" in elsewhere.json()["error"]
    bad = await call(inst, t["mod"], "POST", "/bans", json={**body, "expires": "someday"})
    assert bad.status_code == 400 and "not an expiry" in bad.json()["error"]

    created = await call(inst, t["mod"], "POST", "/bans", json=body)
    assert created.status_code == 201, created.text
    ban = created.json()
    assert (ban["actor"], ban["community"], ban["active"], ban["remove_data"]) == (
        troll.uri,
        "news",
        True,
        True,
    )
    await peer.wait_for(lambda: peer.received_of("Block"))

    listed = await call(inst, t["reader"], "GET", "/bans", params={"community": "news"})
    assert [b["actor"] for b in listed.json()] == [troll.uri]
    assert (await call(inst, t["reader"], "GET", "/bans")).status_code == 403  # instance-wide: admins

    assert (await call(inst, t["mod"], "DELETE", f"/bans/{ban['id']}")).status_code == 204
    assert (await call(inst, t["mod"], "DELETE", f"/bans/{ban['id']}")).status_code == 404
    await peer.wait_for(lambda: peer.received_of("Undo", inner="Block"))
    assert not await Ban.exists()


async def test_the_report_queue_through_the_api(instance) -> None:
    inst: Instance = await instance()
    t = await tokens(inst)
    filed = await call(
        inst,
        t["admin"],
        "POST",
        "/reports",
        json={"targets": ["https://x.example/p/1"], "reason": "spam", "community": "news"},
    )
    assert filed.status_code == 201 and filed.json()["community"] == "news"
    report_id = filed.json()["id"]
    instance_wide = await call(
        inst, t["admin"], "POST", "/reports", json={"targets": ["https://x.example/u/a"], "reason": "x"}
    )
    assert instance_wide.json()["community"] is None

    queue = await call(inst, t["reader"], "GET", "/reports")
    assert [r["id"] for r in queue.json()] == [report_id]
    hidden = await call(inst, t["reader"], "GET", f"/reports/{instance_wide.json()['id']}")
    assert hidden.status_code == 403
    assert (
        await call(inst, t["reader"], "POST", f"/reports/{report_id}/resolve", json={"reason": "ok"})
    ).status_code == 403
    empty = await call(inst, t["mod"], "POST", f"/reports/{report_id}/resolve", json={"reason": " "})
    assert empty.status_code == 422

    resolved = await call(inst, t["mod"], "POST", f"/reports/{report_id}/resolve", json={"reason": "removed"})
    assert resolved.status_code == 200 and resolved.json()["state"] == "resolved"
    again = await call(inst, t["mod"], "POST", f"/reports/{report_id}/dismiss", json={"reason": "x"})
    assert again.status_code == 400 and "already resolved" in again.json()["error"]
    nowhere = await call(inst, t["admin"], "POST", f"/reports/{report_id}/forward", json={})
    assert nowhere.status_code == 400 and "nowhere to go" in nowhere.json()["error"]
    closed = await call(inst, t["reader"], "GET", "/reports", params={"state": "resolved"})
    assert [r["resolution"] for r in closed.json()] == ["removed"]
    assert (await Report.get(id=report_id)).resolved_by == f"{inst.base}/u/mod"
    assert await ModlogEntry.filter(action="resolve_report", community="news").exists()


async def test_reports_of_what_is_no_url_and_text_with_nul_are_refused_and_change_nothing(instance) -> None:
    """PostgreSQL cannot store NUL: it is refused with a 422 on every database, never a server error."""
    inst: Instance = await instance()
    t = await tokens(inst)
    for body in (
        {"targets": [""], "reason": "spam"},
        {"targets": ["not a url"], "reason": "spam"},
        {"targets": ["https://x.example/p/\u0000"], "reason": "spam"},
        {"targets": ["https://x.example/p/1"], "reason": "spam\u0000"},
    ):
        refused = await call(inst, t["admin"], "POST", "/reports", json=body)
        assert refused.status_code == 422, (body, refused.text)
    for body in ({"domain": "bad.example", "public_comment": "\u0000"}, {"domain": "bad\u0000.example"}):
        assert (await call(inst, t["admin"], "POST", "/blocks", json=body)).status_code == 422
    assert not await Report.exists() and not await ModlogEntry.exists()

    admin = await Staff.get(username="admin")
    with pytest.raises(BadRequest, match="is not the URL of a post or an account"):
        await reports.file_report(inst.groups, admin, ["", "https://x.example/p/1"], reason="spam")
    assert not await Report.exists()
