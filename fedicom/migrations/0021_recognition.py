from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from enum import StrEnum


class CreditKind(StrEnum):  # as fedicom/recognition/models.py had it (a migration never imports the code)
    VOTE = "vote"
    REPLY = "reply"
    ANSWER = "answer"
    IDEA = "idea"


class Migration(migrations.Migration):
    dependencies = [('fedicom', '0020_thread_days')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Credit',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='credits', on_delete=OnDelete.CASCADE)),
                ('post', fields.ForeignKeyField('fedicom.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='credits', on_delete=OnDelete.CASCADE)),
                ('source', fields.ForeignKeyField('fedicom.Post', source_field='source_id', db_constraint=True, to_field='id', related_name='credits_given', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='VOTE: vote\nREPLY: reply\nANSWER: answer\nIDEA: idea', enum_type=CreditKind, max_length=8)),
                ('giver', fields.CharField(max_length=1024)),
                ('value', fields.SmallIntField(default=1)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'recognition_credit', 'app': 'fedicom', 'unique_together': (('post', 'kind', 'giver', 'source'),), 'indexes': [Index(fields=['group_id', 'kind'])], 'pk_attr': 'id', 'table_description': 'One thing another member did with a contribution: it counts while both `post` (the contribution'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LeftOut',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='left_out', on_delete=OnDelete.CASCADE)),
                ('actor', fields.CharField(max_length=1024)),
                ('recorded_by', fields.CharField(max_length=1024)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'recognition_left_out', 'app': 'fedicom', 'unique_together': (('group', 'actor'),), 'pk_attr': 'id', 'table_description': "A member who asked to be left out of a community's recognition: shown nowhere, still counted."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Group',
            name='leaderboard',
            field=fields.BooleanField(default=True, db_default=True),
        ),
    ]
