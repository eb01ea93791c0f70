from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from enum import StrEnum


# as they were when this migration was written (a migration never imports the code it migrates)
class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"
    NOT_SCORED = "not_scored"


class RelayState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class ListenKind(StrEnum):
    RELAY = "relay"
    KEYWORD = "keyword"
    HASHTAG = "hashtag"


class Migration(migrations.Migration):
    dependencies = [('fedicom', '0018_insights')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Heard',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='listen_heard', on_delete=OnDelete.CASCADE)),
                ('object_id', fields.CharField(max_length=1024)),
                ('author', fields.CharField(max_length=1024)),
                ('url', fields.CharField(max_length=1024)),
                ('excerpt', fields.TextField(unique=False)),
                ('published', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('heard_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sentiment', fields.CharEnumField(description='POSITIVE: positive\nNEUTRAL: neutral\nNEGATIVE: negative\nNOT_SCORED: not_scored', enum_type=Sentiment, max_length=16)),
                ('language', fields.CharField(default='', max_length=16)),
                ('terms', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('via', fields.CharField(default='', max_length=1024)),
            ],
            options={'table': 'listen_heard', 'app': 'fedicom', 'unique_together': (('group', 'object_id'),), 'indexes': [Index(fields=['group_id', 'heard_at'])], 'pk_attr': 'id', 'table_description': 'A public post from outside the community that matched its keywords or hashtags.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HeardDay',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='listen_days', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('posts', fields.IntField(default=0)),
                ('positive', fields.IntField(default=0)),
                ('neutral', fields.IntField(default=0)),
                ('negative', fields.IntField(default=0)),
                ('not_scored', fields.IntField(default=0)),
            ],
            options={'table': 'listen_day', 'app': 'fedicom', 'unique_together': (('group', 'day'),), 'pk_attr': 'id', 'table_description': "A community's matches on one of its days, by sentiment: kept after the posts are pruned."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Relay',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor_uri', fields.CharField(unique=True, max_length=1024)),
                ('inbox', fields.CharField(max_length=1024)),
                ('follow_id', fields.CharField(max_length=1024)),
                ('state', fields.CharEnumField(default=RelayState.PENDING, description='PENDING: pending\nACCEPTED: accepted\nREJECTED: rejected', enum_type=RelayState, max_length=16)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('heard', fields.BigIntField(default=0)),
                ('last_heard_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'listen_relay', 'app': 'fedicom', 'pk_attr': 'id', 'table_description': 'A relay the instance actor follows (one Follow however many communities subscribe to it).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Subscription',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='listen_subscriptions', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='RELAY: relay\nKEYWORD: keyword\nHASHTAG: hashtag', enum_type=ListenKind, max_length=16)),
                ('term', fields.CharField(max_length=1024)),
                ('relay', fields.ForeignKeyField('fedicom.Relay', source_field='relay_id', null=True, db_constraint=True, to_field='id', related_name='subscriptions', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'listen_subscription', 'app': 'fedicom', 'unique_together': (('group', 'kind', 'term'),), 'pk_attr': 'id', 'table_description': 'One thing a community listens for: a relay (`term` is its actor URI), a keyword or a hashtag'},
            bases=['Model'],
        ),
    ]
