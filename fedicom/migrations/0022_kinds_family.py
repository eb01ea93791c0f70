"""Community kinds and niche communities: `community.kind` (discussion for every existing community),
`community.parent_id` (none yet; SET NULL when the parent goes) and `community.feature_children` (off)."""

from enum import StrEnum

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


# the kinds as they were when this migration was written (a migration never imports the code it migrates)
class CommunityKind(StrEnum):
    DISCUSSION = "discussion"
    IDEAS = "ideas"
    QUESTIONS = "questions"


class Migration(migrations.Migration):
    dependencies = [("fedicom", "0021_recognition")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Group",
            name="feature_children",
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name="Group",
            name="kind",
            field=fields.CharEnumField(
                default=CommunityKind.DISCUSSION,
                db_default="discussion",
                description="DISCUSSION: discussion\nIDEAS: ideas\nQUESTIONS: questions",
                enum_type=CommunityKind,
                max_length=12,
            ),
        ),
        ops.AddField(
            model_name="Group",
            name="parent",
            field=fields.ForeignKeyField(
                "fedicom.Group",
                source_field="parent_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="children",
                on_delete=OnDelete.SET_NULL,
            ),
        ),
    ]
