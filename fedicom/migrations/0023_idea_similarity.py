"""Ideas (issue 13): the log of ideas changed (idea_change), their likely duplicates (idea_match), and
the community option reply_similar (off for every existing community)."""

from enum import StrEnum

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class ChangeKind(StrEnum):  # as it was (a migration never imports the code it migrates)
    STORED = "stored"
    EDITED = "edited"
    STATE = "state"


class Migration(migrations.Migration):
    dependencies = [('fedicom', '0022_kinds_family')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IdeaChange',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='idea_changes', on_delete=OnDelete.CASCADE)),
                ('post', fields.ForeignKeyField('fedicom.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='idea_changes', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(ChangeKind, max_length=12, description="STORED: stored\nEDITED: edited\nSTATE: state")),
                ('pending', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'idea_change', 'app': 'fedicom', 'indexes': [Index(fields=['group_id', 'id']), Index(fields=['pending', 'id'])], 'pk_attr': 'id', 'table_description': 'An idea (a thread of a community whose threads are ideas) stored, edited or gone.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IdeaMatch',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('fedicom.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='idea_matches', on_delete=OnDelete.CASCADE)),
                ('other', fields.ForeignKeyField('fedicom.Post', source_field='other_id', db_constraint=True, to_field='id', related_name='idea_matched_by', on_delete=OnDelete.CASCADE)),
                ('score', fields.FloatField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'idea_match', 'app': 'fedicom', 'unique_together': (('post', 'other'),), 'pk_attr': 'id', 'table_description': '`other`, another idea of the same community, likely says what `post` says (score 0 to 1).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Group',
            name='reply_similar',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
