"""`fedicom refused list` and `fedicom community edit --no-notify-refusals` as an operator uses them: the
real command against its database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fedicom.activitypub.keys import KeyStore
from fedicom.activitypub.models import OutgoingActivity
from fedicom.groups.communities import Site, create_community
from fedicom.groups.models import Group, Moderator
from fedicom.refusals.models import Refusal
from fedicom.staff.accounts import create_staff, name_reserved
from tests.moderation.helpers import PASSWORD
from tests.support.cli import DOMAIN, Run, in_db, in_thread, one_line

ALICE = "https://social.example/users/alice"


def given(env: dict[str, str]) -> None:
    """news (moderated by mia) and other; three refusals in news (one from last week) and one in other."""

    async def work() -> None:
        site = Site(f"http://{DOMAIN}", DOMAIN)
        news = await create_community(KeyStore(), site, "news", reserved=name_reserved)
        other = await create_community(KeyStore(), site, "other", reserved=name_reserved)
        await create_staff("mia", PASSWORD)
        await Moderator.create(group=news, actor=site.staff_uri("mia"))
        rows = [
            (news, "not_member", False, "sent", "only members post in this community; follow it first"),
            (
                news,
                "not_member",
                False,
                "already_told",
                "only members post in this community; follow it first",
            ),
            (news, "held_new_member", True, "sent", "a new member's first post is reviewed by a moderator"),
            (other, "filtered", False, "sent", "matches filter #1 (keyword 'casino'): 'casino'"),
        ]
        for i, (group, code, held, told, reason) in enumerate(rows):
            await Refusal.create(
                group=group,
                author=ALICE,
                object_id=f"https://social.example/objects/{i}",
                activity_id=f"https://social.example/activities/{i}",
                kind="thread",
                code=code,
                held=held,
                reason=reason,
                excerpt=f"post [bold]{i}[/bold]",
                told=told,
            )
        await Refusal.filter(object_id="https://social.example/objects/0").update(
            created_at=datetime.now(UTC) - timedelta(days=3)
        )

    in_db(env, work)


async def test_refused_list_filters_and_speaks_json(migrated: Run, env: dict[str, str]) -> None:
    given(env)
    table = await in_thread(migrated, "refused", "list")
    assert table.exit_code == 0, table.output
    assert "held: held_new_member" in table.output and "filtered: matches filter #1" in table.output
    assert "post [bold]2[/bold]" in table.output  # the author's words are shown, never read as markup

    listed = await in_thread(migrated, "refused", "list", "--community", "news", "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [(r["code"], r["held"], r["told"]) for r in rows] == [
        ("held_new_member", True, "sent"),
        ("not_member", False, "already_told"),
        ("not_member", False, "sent"),
    ]
    assert rows[0]["community"] == "news" and rows[0]["author"] == ALICE
    assert set(rows[0]) == {
        "id", "community", "author", "object_id", "activity_id", "kind", "code", "held", "reason",
        "excerpt", "told", "received",
    }  # fmt: skip

    recent = json.loads((await in_thread(migrated, "refused", "list", "--since", "24h", "--json")).output)
    assert [r["object_id"][-1] for r in recent] == ["3", "2", "1"]
    refused_only = await in_thread(
        migrated, "refused", "list", "--refused-only", "--code", "not_member", "--json"
    )
    assert [r["object_id"][-1] for r in json.loads(refused_only.output)] == ["1", "0"]
    held = json.loads((await in_thread(migrated, "refused", "list", "--held", "--json")).output)
    assert [r["code"] for r in held] == ["held_new_member"]

    bad = await in_thread(migrated, "refused", "list", "--since", "lately")
    assert bad.exit_code == 1 and "since is 30m, 24h, 7d or an ISO date" in one_line(bad)
    missing = await in_thread(migrated, "refused", "list", "--community", "nope")
    assert missing.exit_code == 1
    empty = await in_thread(migrated, "refused", "list", "--code", "banned")
    assert one_line(empty) == "Nothing was refused or held."


async def test_notices_are_switched_per_community(migrated: Run, env: dict[str, str]) -> None:
    given(env)
    off = await in_thread(migrated, "community", "edit", "news", "--no-notify-refusals", "--as", "mia")
    assert off.exit_code == 0, off.output
    assert one_line(off) == "Changed notify_refusals of news."  # nothing members see: nothing federated
    assert in_db(env, lambda: Group.get(name="news")).notify_refusals is False
    assert in_db(env, lambda: OutgoingActivity.all().count()) == 0
    on = await in_thread(migrated, "community", "edit", "news", "--notify-refusals", "--as", "mia")
    assert on.exit_code == 0 and in_db(env, lambda: Group.get(name="news")).notify_refusals is True
