from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fedicom', '0006_lease_holders')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PollVote',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('fedicom.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='poll_votes', on_delete=OnDelete.CASCADE)),
                ('voter', fields.CharField(max_length=1024)),
                ('choice', fields.CharField(max_length=200)),
                ('slot', fields.CharField(max_length=200)),
                ('activity_id', fields.CharField(unique=True, max_length=1024)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'poll_vote', 'app': 'fedicom', 'unique_together': (('post', 'voter', 'slot'),), 'pk_attr': 'id', 'table_description': "One voter's choice of one option of a poll (a single-choice poll keeps one row per voter)."},
            bases=['Model'],
        ),
    ]
