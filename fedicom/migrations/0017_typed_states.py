"""Modlog actions, filter actions, moderator roles, inbox and delivery states become enums; the
stored strings stay the same.

On SQLite, tortoise changes a column by rebuilding its table, which drops the modlog's append-only
triggers (migration 0003): they are created again after the rebuild, in both directions.
"""

from enum import StrEnum
from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


# the enums as they were when this migration was written (a migration never imports the code it migrates)
class DeliveryState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"


class InboxState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class FilterAction(StrEnum):
    HOLD = "hold"
    REJECT = "reject"


class ModeratorRole(StrEnum):
    OWNER = "owner"
    MODERATOR = "moderator"


class ModlogAction(StrEnum):
    CREATE_COMMUNITY = "create_community"
    EDIT_COMMUNITY = "edit_community"
    ADD_MODERATOR = "add_moderator"
    CHANGE_MODERATOR_ROLE = "change_moderator_role"
    REMOVE_MODERATOR = "remove_moderator"
    APPROVE_POST = "approve_post"
    REJECT_POST = "reject_post"
    REMOVE_POST = "remove_post"
    RESTORE_POST = "restore_post"
    LOCK_POST = "lock_post"
    UNLOCK_POST = "unlock_post"
    PIN_POST = "pin_post"
    UNPIN_POST = "unpin_post"
    BAN = "ban"
    UNBAN = "unban"
    FORWARD_REPORT = "forward_report"
    RESOLVE_REPORT = "resolve_report"
    DISMISS_REPORT = "dismiss_report"
    ADD_FILTER = "add_filter"
    REMOVE_FILTER = "remove_filter"
    BLOCK_DOMAIN = "block_domain"
    UNBLOCK_DOMAIN = "unblock_domain"
    SUSPEND_APPLIED = "suspend_applied"
    REMOVE_DATA_APPLIED = "remove_data_applied"
    ALLOW_DOMAIN = "allow_domain"
    DISALLOW_DOMAIN = "disallow_domain"
    CREATE_STAFF = "create_staff"
    REMOVE_STAFF = "remove_staff"
    SET_PASSWORD = "set_password"


_SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS modlog_no_update BEFORE UPDATE ON modlog_entry "
    "BEGIN SELECT RAISE(ABORT, 'the moderation log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS modlog_no_delete BEFORE DELETE ON modlog_entry "
    "BEGIN SELECT RAISE(ABORT, 'the moderation log is append-only'); END",
]


async def _modlog_triggers_back(_apps: Any, schema_editor: Any) -> None:
    """SQLite only: PostgreSQL alters the column in place, and its trigger stays."""
    client = schema_editor.client
    if client.capabilities.dialect == "sqlite":
        for statement in _SQLITE_TRIGGERS:
            await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('fedicom', '0016_post_object_index')]

    initial = False

    operations = [
        ops.RunPython(ops.RunPython.noop, _modlog_triggers_back),  # undone last: after the rebuilds
        ops.AlterField(
            model_name='Delivery',
            name='state',
            field=fields.CharEnumField(default=DeliveryState.PENDING, description='PENDING: pending\nDONE: done\nFAILED: failed\nCANCELLED: cancelled\nSKIPPED: skipped', enum_type=DeliveryState, max_length=12),
        ),
        ops.AlterField(
            model_name='Filter',
            name='action',
            field=fields.CharEnumField(default=FilterAction.HOLD, description='HOLD: hold\nREJECT: reject', enum_type=FilterAction, max_length=8),
        ),
        ops.AlterField(
            model_name='InboxItem',
            name='state',
            field=fields.CharEnumField(default=InboxState.PENDING, description='PENDING: pending\nDONE: done\nFAILED: failed', enum_type=InboxState, max_length=12),
        ),
        ops.AlterField(
            model_name='Moderator',
            name='role',
            field=fields.CharEnumField(default=ModeratorRole.MODERATOR, description='OWNER: owner\nMODERATOR: moderator', enum_type=ModeratorRole, max_length=12),
        ),
        ops.AlterField(
            model_name='ModlogEntry',
            name='action',
            field=fields.CharEnumField(description='CREATE_COMMUNITY: create_community\nEDIT_COMMUNITY: edit_community\nADD_MODERATOR: add_moderator\nCHANGE_MODERATOR_ROLE: change_moderator_role\nREMOVE_MODERATOR: remove_moderator\nAPPROVE_POST: approve_post\nREJECT_POST: reject_post\nREMOVE_POST: remove_post\nRESTORE_POST: restore_post\nLOCK_POST: lock_post\nUNLOCK_POST: unlock_post\nPIN_POST: pin_post\nUNPIN_POST: unpin_post\nBAN: ban\nUNBAN: unban\nFORWARD_REPORT: forward_report\nRESOLVE_REPORT: resolve_report\nDISMISS_REPORT: dismiss_report\nADD_FILTER: add_filter\nREMOVE_FILTER: remove_filter\nBLOCK_DOMAIN: block_domain\nUNBLOCK_DOMAIN: unblock_domain\nSUSPEND_APPLIED: suspend_applied\nREMOVE_DATA_APPLIED: remove_data_applied\nALLOW_DOMAIN: allow_domain\nDISALLOW_DOMAIN: disallow_domain\nCREATE_STAFF: create_staff\nREMOVE_STAFF: remove_staff\nSET_PASSWORD: set_password', enum_type=ModlogAction, max_length=40),
        ),
        ops.RunPython(_modlog_triggers_back, ops.RunPython.noop),
    ]
