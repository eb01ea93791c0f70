"""Invite links as operators and scripts use them: `fedicom invite create|list|revoke` (with `--json`) and
the admin API (in the OpenAPI document); bad input answered with a reason and nothing changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx

from fedicom.groups.models import Moderator
from fedicom.invites.models import Invite
from fedicom.staff.accounts import create_staff
from fedicom.staff.models import Staff
from fedicom.staff.tokens import create_token
from tests.moderation.helpers import PASSWORD, community_with_moderator
from tests.support.cli import DOMAIN, Run, in_db
from tests.support.servers import Instance


def test_the_cli_creates_lists_and_revokes_invite_links(migrated: Run, env: dict[str, str]) -> None:
    in_db(env, lambda: create_staff("mia", PASSWORD, is_admin=True))
    assert migrated("community", "create", "beta", "--private").exit_code == 0
    assert migrated("community", "create", "news").exit_code == 0

    made = migrated("invite", "create", "beta", "--uses", "3", "--expires", "7d")
    assert made.exit_code == 0, made.output
    link = made.output.strip()
    assert link.startswith(f"http://{DOMAIN}/c/beta/invite/") or link.startswith(
        f"https://{DOMAIN}/c/beta/invite/"
    )
    code = link.rsplit("/", 1)[1]
    forever = migrated("invite", "create", "beta", "--expires", "12h")
    assert forever.exit_code == 0, forever.output

    public = migrated("invite", "create", "news")
    bad_duration = migrated("invite", "create", "beta", "--expires", "7 days")
    bad_uses = migrated("invite", "create", "beta", "--uses", "0")
    assert public.exit_code == 1 and "news is public" in public.output
    assert bad_duration.exit_code == 1 and "is not a duration" in bad_duration.output
    assert bad_uses.exit_code == 2 and "--uses" in bad_uses.output

    listed = migrated("invite", "list", "beta", "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [r["code"] for r in rows][1] == code  # newest first
    mine = rows[1]
    assert (
        mine["state"] == "active" and mine["uses"] == 0 and mine["max_uses"] == 3 and mine["uses_left"] == 3
    )
    assert mine["url"] == link and mine["community"] == "beta" and mine["revoked_at"] is None
    expires = datetime.fromisoformat(mine["expires_at"])
    assert expires.tzinfo is not None
    assert timedelta(days=6, hours=23) < expires - datetime.now(UTC) <= timedelta(days=7)
    assert rows[0]["uses_left"] is None

    table = migrated("invite", "list")
    assert table.exit_code == 0 and code in table.output and "active" in table.output

    revoked = migrated("invite", "revoke", link)  # the whole link does too
    again = migrated("invite", "revoke", code)
    unknown = migrated("invite", "revoke", "nonexistent-code")
    assert revoked.exit_code == 0 and "lets nobody in any more" in revoked.output
    assert again.exit_code == 1 and "was revoked already" in again.output
    assert unknown.exit_code == 1 and "no such invite link" in unknown.output
    after = json.loads(migrated("invite", "list", "--json").output)
    assert {r["code"]: r["state"] for r in after}[code] == "revoked"
    assert json.loads(migrated("invite", "list", "news", "--json").output) == []


async def test_the_admin_api_creates_lists_and_revokes_links_of_communities_the_caller_moderates(
    instance,
) -> None:
    inst: Instance = await instance()
    await community_with_moderator(inst, "beta", private=True)
    other = await inst.community("other", private=True)
    await inst.community("news")
    await Moderator.create(group=await inst.groups.group("news"), actor=inst.site.staff_uri("mia"))
    _, secret = await create_token(await Staff.get(username="mia"), "script", ["moderate"])
    _, reader = await create_token(await Staff.get(username="mia"), "read-only", ["read"])
    api = f"{inst.base}/api/v1/admin"
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {secret}"}) as http:
        made = await http.post(f"{api}/communities/beta/invites", json={"uses": 2, "expires": "12h"})
        plain = await http.post(f"{api}/communities/beta/invites", json={})
        public = await http.post(f"{api}/communities/news/invites", json={})
        theirs = await http.post(f"{api}/communities/other/invites", json={})
        bad = await http.post(f"{api}/communities/beta/invites", json={"expires": "soon"})
        extra = await http.post(f"{api}/communities/beta/invites", json={"uses": 1, "colour": "red"})
        listed = await http.get(f"{api}/invites")
        only = await http.get(f"{api}/invites", params={"community": "beta"})
        read_only = await http.post(
            f"{api}/communities/beta/invites", json={}, headers={"Authorization": f"Bearer {reader}"}
        )
        code = made.json()["code"]
        gone = await http.delete(f"{api}/invites/{code}")
        again = await http.delete(f"{api}/invites/{code}")
        mangled = await http.delete(f"{api}/invites/x")
        other_code = (await Invite.create(group=other, code="o" * 16, created_by="x")).code
        not_mine = await http.delete(f"{api}/invites/{other_code}")
        spec = (await http.get(f"{api}/openapi.json")).json()

    assert made.status_code == 201, made.text
    body = made.json()
    assert body["community"] == "beta" and body["max_uses"] == 2 and body["uses_left"] == 2
    assert body["url"] == f"{inst.base}/c/beta/invite/{code}" and body["state"] == "active"
    assert body["created_by"] == inst.site.staff_uri("mia") and body["expires_at"] is not None
    assert (
        plain.status_code == 201 and plain.json()["expires_at"] is None and plain.json()["max_uses"] is None
    )
    assert public.status_code == 400 and "news is public" in public.json()["error"]
    assert theirs.status_code == 403
    assert bad.status_code == 422 and extra.status_code == 422 and read_only.status_code == 403
    assert [i["code"] for i in listed.json()] == [plain.json()["code"], code]  # not other's
    assert len(only.json()) == 2
    assert gone.status_code == 204 and (await Invite.get(code=code)).revoked_at is not None
    assert again.status_code == 400 and "was revoked already" in again.json()["error"]
    assert mangled.status_code in (400, 422) and not_mine.status_code == 403
    assert (await Invite.get(code=other_code)).revoked_at is None
    paths = spec["paths"]
    assert set(paths["/communities/{name}/invites"]) == {"post"} and set(paths["/invites"]) == {"get"}
    assert set(paths["/invites/{code}"]) == {"delete"}
    assert paths["/invites/{code}"]["delete"]["x-scope"] == "moderate"
