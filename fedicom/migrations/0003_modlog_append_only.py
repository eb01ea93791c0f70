"""The moderation log cannot be edited: the database itself refuses UPDATE and DELETE on it."""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

_SQLITE = [
    "CREATE TRIGGER modlog_no_update BEFORE UPDATE ON modlog_entry "
    "BEGIN SELECT RAISE(ABORT, 'the moderation log is append-only'); END",
    "CREATE TRIGGER modlog_no_delete BEFORE DELETE ON modlog_entry "
    "BEGIN SELECT RAISE(ABORT, 'the moderation log is append-only'); END",
]
_POSTGRES = [
    "CREATE FUNCTION modlog_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'the moderation log is append-only'; END $$",
    "CREATE TRIGGER modlog_append_only BEFORE UPDATE OR DELETE ON modlog_entry "
    "FOR EACH ROW EXECUTE FUNCTION modlog_append_only()",
]


async def forward(_apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    for statement in _POSTGRES if client.capabilities.dialect == "postgres" else _SQLITE:
        await client.execute_script(statement)


async def backward(_apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script("DROP TRIGGER modlog_append_only ON modlog_entry")
        await client.execute_script("DROP FUNCTION modlog_append_only()")
    else:
        await client.execute_script("DROP TRIGGER modlog_no_update")
        await client.execute_script("DROP TRIGGER modlog_no_delete")


class Migration(migrations.Migration):
    dependencies = [("fedicom", "0002_moderation")]

    operations = [ops.RunPython(forward, backward)]
