"""The inbox from the command line and the admin API: the same services as the staff page, each staff
member seeing and clearing only their own notifications; and the job queue as staff see it."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from fedicom.jobs.queue import enqueue
from fedicom.notifications.models import Notification
from fedicom.staff.accounts import create_staff, name_reserved
from fedicom.staff.models import Staff
from fedicom.staff.tokens import create_token
from tests.moderation.helpers import PASSWORD
from tests.notifications.conftest import staff_post_scene
from tests.support.cli import Run, in_db
from tests.support.peer import Peer
from tests.support.servers import Instance
from tests.support.steps import reply


async def call(inst: Instance, token: str, method: str, path: str, **kw: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=f"{inst.base}/api/v1/admin") as client:
        return await client.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kw)


async def test_the_admin_api_lists_and_clears_the_callers_notifications(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await staff_post_scene(inst, peer)
    for text in ("one", "two"):
        await reply(peer, scene.bob, scene.group, scene.staff_post.object_id, f"<p>{text}</p>")
    mia = await Staff.get(username="mia")
    otto = await create_staff("otto", PASSWORD)
    token = (await create_token(mia, "bot", ["read"]))[1]
    other = (await create_token(otto, "bot", ["read"]))[1]

    listed = (await call(inst, token, "GET", "/notifications", params={"unread": "true"})).json()
    assert [(n["kind"], n["community"], n["excerpt"], n["read_at"]) for n in listed] == [
        ("reply", "news", "two", None),
        ("reply", "news", "one", None),
    ]
    assert (await call(inst, other, "GET", "/notifications")).json() == []
    newest = listed[0]["id"]
    assert (await call(inst, other, "POST", f"/notifications/{newest}/read")).status_code == 404
    read = await call(inst, token, "POST", f"/notifications/{newest}/read")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    bad = await call(inst, token, "GET", "/notifications", params={"kind": "gossip"})
    assert bad.status_code == 422
    cleared = await call(inst, token, "POST", "/notifications/read-all", params={"community": "news"})
    assert cleared.json() == {"marked": 1}
    assert await Notification.filter(read_at__isnull=True).count() == 0


async def test_the_job_queue_is_listed_to_admins_only(instance) -> None:
    inst = await instance()
    admin = await create_staff("ada", PASSWORD, is_admin=True)
    mod = await create_staff("mia", PASSWORD)
    await enqueue("notify.email", {"notification": 1}, key="email:1", run_at=time.time() + 3600)
    admin_token = (await create_token(admin, "t", ["admin"]))[1]
    mod_token = (await create_token(mod, "t", ["read"]))[1]
    assert (await call(inst, mod_token, "GET", "/jobs")).status_code == 403
    params = {"state": "pending", "kind": "notify.email"}  # besides the hourly insights job
    [job] = (await call(inst, admin_token, "GET", "/jobs", params=params)).json()
    assert (job["kind"], job["key"], job["payload"], job["tries"]) == (
        "notify.email",
        "email:1",
        {"notification": 1},
        0,
    )


def test_notifications_from_the_command_line(migrated: Run, env: dict[str, str]) -> None:
    async def scene() -> None:
        from fedicom.activitypub.keys import KeyStore
        from fedicom.groups.communities import Site, create_community

        mia = await create_staff("mia", PASSWORD, is_admin=True)
        await create_staff("otto", PASSWORD)
        group = await create_community(
            KeyStore(), Site("http://groups.example", "groups.example"), "news", reserved=name_reserved
        )
        for n in range(3):
            await Notification.create(
                staff=mia,
                kind="report" if n else "join_request",
                community=group,
                actor=f"https://social.example/users/u{n}",
                url=f"http://groups.example/staff/reports/{n}",
                excerpt=f"spam {n}",
            )
        await Notification.filter(excerpt="spam 0").update(read_at=datetime.now(UTC))

    in_db(env, scene)
    out = migrated("notifications", "list", "--unread", "--json", "--as", "mia")
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert [(r["kind"], r["excerpt"], r["read_at"]) for r in rows] == [
        ("report", "spam 2", None),
        ("report", "spam 1", None),
    ]
    table = migrated("notifications", "list", "--as", "mia")
    assert "spam 0" in table.output and "unread" in table.output
    assert json.loads(migrated("notifications", "list", "--json", "--as", "otto").output) == []
    done = migrated("notifications", "read", str(rows[0]["id"]), "--as", "mia")
    assert done.exit_code == 0 and f"Marked notification {rows[0]['id']} read." in done.output
    wrong = migrated("notifications", "read", str(rows[1]["id"]), "--as", "otto")
    assert wrong.exit_code == 1 and f"you have no notification {rows[1]['id']}" in wrong.output
    assert migrated("notifications", "read", "--as", "mia").exit_code == 2  # an id or --all
    assert "Marked 1 notification read." in migrated("notifications", "read", "--all", "--as", "mia").output
    assert json.loads(migrated("notifications", "list", "--unread", "--json", "--as", "mia").output) == []


def test_staff_email_and_the_job_list_from_the_command_line(migrated: Run, env: dict[str, str]) -> None:
    in_db(env, lambda: create_staff("mia", PASSWORD))
    out = migrated("staff", "edit", "mia", "--email", "mia@example.org")
    assert out.exit_code == 0 and "mia's notification emails go to mia@example.org." in out.output
    bad = migrated("staff", "edit", "mia", "--email", "not an address")
    assert bad.exit_code == 1 and "is not an email address" in bad.output
    assert in_db(env, lambda: Staff.get(username="mia")).email == "mia@example.org"

    async def queue() -> None:
        await enqueue("notify.digest", {"staff": 1}, key="digest:mia:2026-12-05", run_at=1.0)
        await enqueue("notify.email", {"notification": 9})

    in_db(env, queue)
    rows = json.loads(migrated("jobs", "list", "--json").output)
    assert [(r["kind"], r["state"], r["key"]) for r in rows] == [
        ("notify.email", "pending", None),
        ("notify.digest", "pending", "digest:mia:2026-12-05"),
    ]
    assert json.loads(migrated("jobs", "list", "--state", "failed", "--json").output) == []
    table = migrated("jobs", "list", "--kind", "notify.digest")
    assert "digest:mia:2026-12-05" in table.output and "notify.email" not in table.output
