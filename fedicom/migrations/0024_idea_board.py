"""The idea board: `idea_state` (an idea's current status; none for existing threads, which are open)
and `idea_status_change` (its history). New tables only."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from enum import StrEnum


class IdeaStatus(StrEnum):  # as fedicom/ideas/lifecycle.py had it (a migration never imports the code)
    OPEN = "open"
    UNDER_REVIEW = "under_review"
    PLANNED = "planned"
    STARTED = "started"
    COMPLETED = "completed"
    DECLINED = "declined"
    DUPLICATE = "duplicate"


class Migration(migrations.Migration):
    dependencies = [('fedicom', '0023_idea_similarity')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IdeaState',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='idea_states', on_delete=OnDelete.CASCADE)),
                ('post', fields.OneToOneField('fedicom.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='idea_state', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=IdeaStatus.OPEN, description='OPEN: open\nUNDER_REVIEW: under_review\nPLANNED: planned\nSTARTED: started\nCOMPLETED: completed\nDECLINED: declined\nDUPLICATE: duplicate', enum_type=IdeaStatus, max_length=16)),
                ('note', fields.TextField(default='', unique=False)),
                ('merged_into', fields.ForeignKeyField('fedicom.Post', source_field='merged_into_id', null=True, db_constraint=True, to_field='id', related_name='merged_here', on_delete=OnDelete.SET_NULL)),
                ('changed_by', fields.CharField(max_length=1024)),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'idea_state', 'app': 'fedicom', 'indexes': [Index(fields=['group_id', 'status'])], 'pk_attr': 'id', 'table_description': "An idea's current status, the note staff gave with it, and the original it was merged into."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IdeaStatusChange',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('fedicom.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='idea_status_changes', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(description='OPEN: open\nUNDER_REVIEW: under_review\nPLANNED: planned\nSTARTED: started\nCOMPLETED: completed\nDECLINED: declined\nDUPLICATE: duplicate', enum_type=IdeaStatus, max_length=16)),
                ('previous', fields.CharEnumField(description='OPEN: open\nUNDER_REVIEW: under_review\nPLANNED: planned\nSTARTED: started\nCOMPLETED: completed\nDECLINED: declined\nDUPLICATE: duplicate', enum_type=IdeaStatus, max_length=16)),
                ('note', fields.TextField(default='', unique=False)),
                ('actor', fields.CharField(max_length=1024)),
                ('reply', fields.ForeignKeyField('fedicom.Post', source_field='reply_id', null=True, db_constraint=True, to_field='id', related_name='idea_replies', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'idea_status_change', 'app': 'fedicom', 'indexes': [Index(fields=['post_id', 'id'])], 'pk_attr': 'id', 'table_description': "One change of an idea's status, shown on its page: who, when, why, and the reply that told members."},
            bases=['Model'],
        ),
    ]
