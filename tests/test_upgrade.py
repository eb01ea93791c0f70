"""Upgrading a live server: every migration applies to tables that hold rows. A NOT NULL column added
with only a Python default used to stop the upgrade at 0004/0010/0012/0013 ("Cannot add a NOT NULL
column with default value NULL" on SQLite, null values on PostgreSQL); `AddFilledField` fills them."""

from __future__ import annotations

import ast
from pathlib import Path

from tortoise import connections

from fedicom import storage
from fedicom.groups.models import Group, Moderator, ModeratorRole, Post, PostState
from fedicom.settings import Settings
from fedicom.staff.models import Staff
from tests.support.db import migrate_to

MIGRATIONS = Path(storage.__file__).parent.parent / "migrations"

# rows as the release of migration 0003 wrote them (its columns, in plain SQL)
AT_0003 = [
    "INSERT INTO community (name, title, summary, rules, privacy_policy, private, posting_policy, sensitive, "
    "discoverable, created_at, updated_at) VALUES ('old', 'Old', '', '', '', FALSE, 'members', FALSE, TRUE, "
    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    "INSERT INTO moderator (group_id, actor, created_at) "
    "SELECT id, 'https://h.example/u/mod', CURRENT_TIMESTAMP FROM community",
    "INSERT INTO post (group_id, object_id, type, author, content, document, published, deleted, upvotes, "
    "downvotes, reply_count, created_at) SELECT id, 'https://h.example/o/1', 'Page', "
    "'https://h.example/u/a', '<p>Hi</p>', '{}', CURRENT_TIMESTAMP, FALSE, 0, 0, 0, CURRENT_TIMESTAMP "
    "FROM community",
]
AT_0009 = [
    "INSERT INTO staff (username, display_name, password_hash, is_admin, disabled, created_at) "
    "VALUES ('ada', 'Ada', 'x', TRUE, FALSE, CURRENT_TIMESTAMP)",
]


async def _insert(settings: Settings, statements: list[str]) -> None:
    await storage.open_db(settings)
    try:
        for statement in statements:
            await connections.get("default").execute_script(statement)
    finally:
        await storage.close_db()


async def test_a_server_with_rows_upgrades_through_every_migration(fresh_settings: Settings) -> None:
    """Given rows written at 0003 and a staff account at 0009, when every later migration is applied,
    then the upgrade completes and the old rows carry the new columns' defaults."""
    await migrate_to(fresh_settings, "fedicom.0003_modlog_append_only")
    await _insert(fresh_settings, AT_0003)
    await migrate_to(fresh_settings, "fedicom.0009_brand")
    await _insert(fresh_settings, AT_0009)

    await storage.migrate(fresh_settings)

    await storage.open_db(fresh_settings)
    try:
        group = await Group.get(name="old")
        assert (group.notify_refusals, group.timezone, group.premoderation) == (True, "UTC", "off")
        assert (await Moderator.get(group=group)).role == ModeratorRole.MODERATOR
        post = await Post.get(group=group)
        assert (post.state, post.state_reason, post.locked) == (PostState.VISIBLE, "", False)
        assert (await Staff.get(username="ada")).email == ""
    finally:
        await storage.close_db()


def test_every_not_null_column_added_to_a_table_is_filled() -> None:
    """A migration adding a NOT NULL column without a database default would stop the upgrade of every
    server whose table has rows: such a column is added with AddFilledField (or a db_default)."""
    offenders = []
    for path in sorted(MIGRATIONS.glob("[0-9]*.py")):
        for call in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(call, ast.Call) and ast.unparse(call.func) == "ops.AddField"):
                continue
            field = next(k.value for k in call.keywords if k.arg == "field")
            assert isinstance(field, ast.Call), path.name
            words = {k.arg: ast.unparse(k.value) for k in field.keywords}
            fk = "ForeignKey" in ast.unparse(field.func)
            if words.get("null") != "True" and "db_default" not in words and not fk:
                offenders.append(f"{path.name}: {ast.unparse(call)[:120]}")
    assert offenders == []
