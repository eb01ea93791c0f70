from tortoise import migrations
from tortoise.migrations import operations as ops
from enum import StrEnum
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index



# as it was when this migration was written (a migration never imports the code it migrates)
class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"
    NOT_SCORED = "not_scored"


class Migration(migrations.Migration):
    dependencies = [('fedicom', '0016_post_object_index')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CommunityDay',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='insight_days', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('posts', fields.IntField(default=0)),
                ('comments', fields.IntField(default=0)),
                ('votes', fields.IntField(default=0)),
                ('joins', fields.IntField(default=0)),
                ('leaves', fields.IntField(default=0)),
                ('reports', fields.IntField(default=0)),
                ('positive', fields.IntField(default=0)),
                ('neutral', fields.IntField(default=0)),
                ('negative', fields.IntField(default=0)),
                ('not_scored', fields.IntField(default=0)),
            ],
            options={'table': 'insight_day', 'app': 'fedicom', 'unique_together': (('group', 'day'),), 'pk_attr': 'id', 'table_description': "One community's counts for one of its days."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Engagement',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='insight_engagements', on_delete=OnDelete.CASCADE)),
                ('author', fields.CharField(max_length=1024)),
                ('engager', fields.CharField(max_length=1024)),
            ],
            options={'table': 'insight_engagement', 'app': 'fedicom', 'unique_together': (('group', 'author', 'engager'),), 'pk_attr': 'id', 'table_description': '`engager` replied to or voted on something `author` posted: counted once per pair.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MemberDay',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='insight_member_days', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('actor', fields.CharField(max_length=1024)),
                ('posts', fields.IntField(default=0)),
                ('comments', fields.IntField(default=0)),
                ('votes', fields.IntField(default=0)),
            ],
            options={'table': 'insight_member_day', 'app': 'fedicom', 'unique_together': (('group', 'day', 'actor'),), 'pk_attr': 'id', 'table_description': 'What one actor did in one community on one day: active members are counted from these.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MemberEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='insight_member_events', on_delete=OnDelete.CASCADE)),
                ('actor', fields.CharField(max_length=1024)),
                ('joined', fields.BooleanField()),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'insight_member_event', 'app': 'fedicom', 'indexes': [Index(fields=['group_id', 'at'])], 'pk_attr': 'id', 'table_description': 'A join or a leave, kept because a membership row is deleted when it ends.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MemberTotals',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='insight_members', on_delete=OnDelete.CASCADE)),
                ('actor', fields.CharField(max_length=1024)),
                ('posts', fields.IntField(default=0)),
                ('comments', fields.IntField(default=0)),
                ('votes', fields.IntField(default=0)),
                ('first_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('up_received', fields.IntField(default=0)),
                ('down_received', fields.IntField(default=0)),
                ('comment_up_received', fields.IntField(default=0)),
                ('replies_received', fields.IntField(default=0)),
                ('engagers', fields.IntField(default=0)),
            ],
            options={'table': 'insight_member', 'app': 'fedicom', 'unique_together': (('group', 'actor'),), 'pk_attr': 'id', 'table_description': "One actor's whole record in one community: stages, contributors, influencers and experts."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PostFacts',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.OneToOneField('fedicom.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='insight_facts', on_delete=OnDelete.CASCADE)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='insight_posts', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('depth', fields.IntField(default=0)),
                ('language', fields.CharField(default='', max_length=16)),
                ('sentiment', fields.CharEnumField(default=Sentiment.NOT_SCORED, description='POSITIVE: positive\nNEUTRAL: neutral\nNEGATIVE: negative\nNOT_SCORED: not_scored', enum_type=Sentiment, max_length=12)),
                ('compound', fields.FloatField(null=True)),
            ],
            options={'table': 'insight_post', 'app': 'fedicom', 'indexes': [Index(fields=['group_id', 'day'])], 'pk_attr': 'id', 'table_description': 'Per post or comment: where it sits in its thread and how it reads.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ThreadFacts',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.OneToOneField('fedicom.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='insight_thread', on_delete=OnDelete.CASCADE)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='insight_threads', on_delete=OnDelete.CASCADE)),
                ('author', fields.CharField(max_length=1024)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('question', fields.BooleanField(default=False)),
                ('first_reply_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('first_reply_minutes', fields.IntField(null=True)),
                ('staff_replied', fields.BooleanField(default=False)),
                ('replies', fields.IntField(default=0)),
                ('participants', fields.IntField(default=1)),
                ('depth', fields.IntField(default=0)),
            ],
            options={'table': 'insight_thread', 'app': 'fedicom', 'indexes': [Index(fields=['group_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'How a thread was answered: the first reply, whether staff answered, its size and depth.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Participant',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('thread', fields.ForeignKeyField('fedicom.ThreadFacts', source_field='thread_id', db_constraint=True, to_field='id', related_name='participant_rows', on_delete=OnDelete.CASCADE)),
                ('actor', fields.CharField(max_length=1024)),
            ],
            options={'table': 'insight_participant', 'app': 'fedicom', 'unique_together': (('thread', 'actor'),), 'pk_attr': 'id', 'table_description': 'Who took part in a thread (its author and each replier), once each.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Vote',
            name='created_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=True),
        ),
    ]
