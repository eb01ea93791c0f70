"""States are enums stored as the words they always were: every value round-trips on SQLite and
PostgreSQL, and a database written before the enums (migration 0016) reads its old rows as members,
with the modlog still append-only after migration 0017 rebuilt its table on SQLite."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from fedicom import storage
from fedicom.activitypub.models import Delivery, DeliveryState, InboxItem, InboxState, OutgoingActivity
from fedicom.groups.kinds import CommunityKind
from fedicom.groups.models import Group, Membership, MembershipState, Moderator, ModeratorRole
from fedicom.ideas.lifecycle import IdeaStatus
from fedicom.jobs.models import JobState
from fedicom.moderation.models import Filter, FilterAction, ModlogAction, ModlogEntry, Report, ReportState
from fedicom.settings import Settings
from tests.support.db import make_settings, migrate_to, old_community

# The words in the database, as they were before the enums: changing one breaks old rows and the
# public modlog's readers, so it needs a migration and a note in docs/upgrading.md.
STORED: dict[type[StrEnum], list[str]] = {
    ModlogAction: [
        "create_community", "edit_community", "add_moderator", "change_moderator_role", "remove_moderator",
        "approve_post", "reject_post", "remove_post", "restore_post", "lock_post", "unlock_post",
        "pin_post", "unpin_post", "ban", "unban", "forward_report", "resolve_report", "dismiss_report",
        "add_filter", "remove_filter", "block_domain", "unblock_domain", "suspend_applied",
        "remove_data_applied", "allow_domain", "disallow_domain", "create_staff", "remove_staff",
        "set_password",
    ],
    FilterAction: ["hold", "reject"],
    ModeratorRole: ["owner", "moderator"],
    InboxState: ["pending", "done", "failed"],
    DeliveryState: ["pending", "done", "failed", "cancelled", "skipped"],
    MembershipState: ["pending", "accepted"],
    ReportState: ["open", "resolved", "dismissed"],
    JobState: ["pending", "done", "failed", "cancelled"],
    CommunityKind: ["discussion", "ideas", "questions"],
    IdeaStatus: ["open", "under_review", "planned", "started", "completed", "declined", "duplicate"],
}  # fmt: skip
BEFORE_ENUMS = "fedicom.0016_post_object_index"


def test_the_stored_words_did_not_change() -> None:
    for enum, words in STORED.items():
        assert [member.value for member in enum] == words, enum.__name__


async def _stored(conn: BaseDBAsyncClient, table: str, column: str) -> list[str]:
    rows = await conn.execute_query_dict(f'SELECT "{column}" AS v FROM "{table}" ORDER BY id')
    return [row["v"] for row in rows]


async def _read_back(model: type[Model], column: str, enum: type[StrEnum]) -> None:
    """The ORM reads every row as a member of `enum`, in the order the values were written."""
    values = [getattr(row, column) for row in await model.all().order_by("id")]
    assert values == list(enum) and all(type(v) is enum for v in values), model.__name__


async def test_every_value_round_trips_as_the_same_word(tmp_path: Path) -> None:
    """Given a row written with each member, the column holds its word and the ORM reads the member."""
    await storage.open_db(make_settings(tmp_path))
    try:
        conn = connections.get("default")
        group = await Group.create(name="words", title="Words")
        activity = await OutgoingActivity.create(
            activity_id="https://h.example/a/1", actor="a", type="Create", payload="{}", created_at=0
        )
        now = time.time()
        for i, action in enumerate(ModlogAction):
            await ModlogEntry.create(moderator="cli", action=action, target=str(i))
        for i, kind in enumerate(FilterAction):
            await Filter.create(pattern=f"word{i}", action=kind)
        for i, role in enumerate(ModeratorRole):
            await Moderator.create(group=group, actor=f"https://h.example/u/{i}", role=role)
        for i, state in enumerate(InboxState):
            await InboxItem.create(
                activity_id=f"https://h.example/in/{i}", actor="a", payload="{}", state=state,
                next_try_at=now, received_at=now,
            )  # fmt: skip
        for i, state in enumerate(DeliveryState):
            await Delivery.create(
                activity=activity, inbox=f"https://h.example/inbox/{i}", host="h.example", order_key="k",
                state=state, next_try_at=now, updated_at=now,
            )  # fmt: skip
        for i, state in enumerate(MembershipState):
            await Membership.create(
                group=group, actor=f"https://h.example/m/{i}", inbox="i", follow_id="f",
                follow_activity="{}", state=state,
            )  # fmt: skip
        for state in ReportState:
            await Report.create(reporter="https://h.example/u/r", state=state)
        for kind in CommunityKind:
            await Group.create(name=f"kind_{kind.value}", title="Kind", kind=kind)

        for model, table, column, enum in [
            (ModlogEntry, "modlog_entry", "action", ModlogAction),
            (Filter, "filter", "action", FilterAction),
            (Moderator, "moderator", "role", ModeratorRole),
            (InboxItem, "inbox_item", "state", InboxState),
            (Delivery, "delivery", "state", DeliveryState),
            (Membership, "membership", "state", MembershipState),
            (Report, "report", "state", ReportState),
        ]:
            assert await _stored(conn, table, column) == STORED[enum], table
            await _read_back(model, column, enum)
        kinds = await Group.filter(name__startswith="kind_").order_by("id")
        assert [g.kind for g in kinds] == list(CommunityKind) and all(
            type(g.kind) is CommunityKind for g in kinds
        )
        assert (await _stored(conn, "community", "kind"))[1:] == STORED[CommunityKind]
    finally:
        await storage.close_db()


# rows as the code before the enums wrote them, in plain SQL (no enum is involved in writing them)
OLD_ROWS = [
    *(
        "INSERT INTO modlog_entry (moderator, action, target, reason, details, created_at) "
        f"VALUES ('cli', '{word}', 'x', '', '{{}}', CURRENT_TIMESTAMP)"
        for word in STORED[ModlogAction]
    ),
    *(
        "INSERT INTO filter (pattern, regex, action, comment, created_at) "
        f"VALUES ('{word}ed', FALSE, '{word}', '', CURRENT_TIMESTAMP)"
        for word in STORED[FilterAction]
    ),
    *(
        "INSERT INTO inbox_item (activity_id, actor, payload, state, tries, next_try_at, received_at) "
        f"VALUES ('https://h.example/{word}', 'a', '{{}}', '{word}', 0, 0, 0)"
        for word in STORED[InboxState]
    ),
    "INSERT INTO outgoing_activity (activity_id, actor, type, public, payload, created_at) "
    "VALUES ('https://h.example/a/1', 'a', 'Create', TRUE, '{}', 0)",
    *(
        "INSERT INTO delivery (activity_id, inbox, host, order_key, state, tries, next_try_at, updated_at) "
        f"SELECT id, 'https://h.example/{word}', 'h.example', 'k', '{word}', 0, 0, 0 FROM outgoing_activity"
        for word in STORED[DeliveryState]
    ),
]


async def _old_moderators(conn: BaseDBAsyncClient) -> None:
    group_id = await old_community(conn)
    for word in STORED[ModeratorRole]:
        await conn.execute_script(
            "INSERT INTO moderator (group_id, actor, role, created_at) "
            f"VALUES ({group_id}, 'https://h.example/{word}', '{word}', CURRENT_TIMESTAMP)"
        )


async def _refuses_changes(conn: BaseDBAsyncClient) -> None:
    for statement in ("UPDATE modlog_entry SET reason = 'nothing happened'", "DELETE FROM modlog_entry"):
        with pytest.raises(Exception, match="append-only"):
            await conn.execute_script(statement)


async def test_rows_from_before_the_enums_read_as_members_and_the_modlog_stays_append_only(
    fresh_settings: Settings,
) -> None:
    """Given a database at 0016 holding rows of every word, when it is migrated (and back), then the
    rows read as enum members, the words are unchanged and the modlog still refuses edits."""
    await migrate_to(fresh_settings, BEFORE_ENUMS)
    await storage.open_db(fresh_settings)
    try:
        conn = connections.get("default")
        for statement in OLD_ROWS:
            await conn.execute_script(statement)
        await _old_moderators(conn)
        await _refuses_changes(conn)
    finally:
        await storage.close_db()

    await storage.migrate(fresh_settings)
    await storage.open_db(fresh_settings)
    try:
        conn = connections.get("default")
        checked: list[tuple[Any, ...]] = [
            (ModlogEntry, "modlog_entry", "action", ModlogAction),
            (Filter, "filter", "action", FilterAction),
            (Moderator, "moderator", "role", ModeratorRole),
            (InboxItem, "inbox_item", "state", InboxState),
            (Delivery, "delivery", "state", DeliveryState),
        ]
        for model, table, column, enum in checked:
            assert await _stored(conn, table, column) == STORED[enum], table
            await _read_back(model, column, enum)
        await _refuses_changes(conn)
        assert (await Group.get(name="old")).leaderboard is True  # an old community: its leaderboard on
    finally:
        await storage.close_db()

    await migrate_to(fresh_settings, BEFORE_ENUMS)  # backwards: the rebuild must not free the log either
    await storage.open_db(fresh_settings)
    try:
        conn = connections.get("default")
        assert await _stored(conn, "modlog_entry", "action") == STORED[ModlogAction]
        await _refuses_changes(conn)
    finally:
        await storage.close_db()
