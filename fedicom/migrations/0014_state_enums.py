from tortoise import migrations
from tortoise.migrations import operations as ops
from enum import StrEnum

from tortoise import fields


# the enums as they were when this migration was written (a migration never imports the code it migrates)
class MembershipState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"


class PostState(StrEnum):
    VISIBLE = "visible"
    HELD = "held"
    REMOVED = "removed"


class ReportState(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


class Migration(migrations.Migration):
    dependencies = [('fedicom', '0013_community_timezone')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Membership',
            name='state',
            field=fields.CharEnumField(default=MembershipState.PENDING, description='PENDING: pending\nACCEPTED: accepted', enum_type=MembershipState, max_length=12),
        ),
        ops.AlterField(
            model_name='Post',
            name='state',
            field=fields.CharEnumField(default=PostState.VISIBLE, description='VISIBLE: visible\nHELD: held\nREMOVED: removed', enum_type=PostState, max_length=12),
        ),
        ops.AlterField(
            model_name='Report',
            name='state',
            field=fields.CharEnumField(default=ReportState.OPEN, description='OPEN: open\nRESOLVED: resolved\nDISMISSED: dismissed', enum_type=ReportState, max_length=12),
        ),
    ]
