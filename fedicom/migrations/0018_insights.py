from tortoise import migrations
from json import dumps, loads
import functools
from tortoise.migrations import operations as ops
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# as it was when this migration was written (a migration never imports the code it migrates)
class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"
    NOT_SCORED = "not_scored"


async def members_so_far(apps: Any, schema_editor: Any) -> None:
    """The members a community has when insights start: each counted as joined on the day it did, per
    server, so the member chart starts from the truth rather than from zero."""
    client = schema_editor.client
    _, groups = await client.execute_query("SELECT id, timezone FROM community")
    zones = {g["id"]: ZoneInfo(g["timezone"] or "UTC") for g in groups}
    _, rows = await client.execute_query(
        "SELECT group_id, actor, created_at FROM membership WHERE state = 'accepted'"
    )
    postgres = client.capabilities.dialect == "postgres"

    def mark(i: int) -> str:
        return f"${i}" if postgres else "?"

    days: dict[tuple[int, date], int] = {}
    hosts: dict[tuple[int, str], int] = {}
    for row in rows:
        at = row["created_at"]
        at = datetime.fromisoformat(at) if isinstance(at, str) else at
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        await client.execute_query(
            f"INSERT INTO insight_member_event (group_id, actor, joined, at) VALUES ({mark(1)}, {mark(2)}, {mark(3)}, {mark(4)})",
            [row["group_id"], row["actor"], True, at],
        )
        day = at.astimezone(zones[row["group_id"]]).date()
        days[(row["group_id"], day)] = days.get((row["group_id"], day), 0) + 1
        host = urlsplit(row["actor"]).netloc.lower()  # host[:port], as counting.py keys servers
        hosts[(row["group_id"], host)] = hosts.get((row["group_id"], host), 0) + 1
    for (group_id, day), n in days.items():
        await client.execute_query(
            "INSERT INTO insight_day (group_id, day, posts, comments, votes, joins, leaves, reports, active, "
            f"positive, neutral, negative, not_scored) VALUES ({mark(1)}, {mark(2)}, 0, 0, 0, {mark(3)}, 0, 0, 0, "
            "0, 0, 0, 0)",
            [group_id, day, n],
        )
    for (group_id, host), n in hosts.items():
        await client.execute_query(
            f"INSERT INTO insight_server (group_id, host, members) VALUES ({mark(1)}, {mark(2)}, {mark(3)})",
            [group_id, host, n],
        )


async def nothing(apps: Any, schema_editor: Any) -> None:
    return None


class AlertMetric(StrEnum):
    NEGATIVE_SHARE = "negative_share"
    REPORTS = "reports"
    LEAVES = "leaves"


class Migration(migrations.Migration):
    dependencies = [('fedicom', '0017_typed_states')]

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
                ('active', fields.IntField(default=0)),
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
            name='LanguageDay',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='insight_languages', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('language', fields.CharField(max_length=16)),
                ('posts', fields.IntField(default=0)),
            ],
            options={'table': 'insight_language_day', 'app': 'fedicom', 'unique_together': (('group', 'day', 'language'),), 'pk_attr': 'id', 'table_description': 'Posts and comments per language and day ("" when neither declared nor identified).'},
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
            name='ServerMembers',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='insight_servers', on_delete=OnDelete.CASCADE)),
                ('host', fields.CharField(max_length=255)),
                ('members', fields.IntField(default=0)),
            ],
            options={'table': 'insight_server', 'app': 'fedicom', 'unique_together': (('group', 'host'),), 'pk_attr': 'id', 'table_description': 'Members per server, moved by each join and leave: the "by server" chart reads these rows, not'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StageDay',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='insight_stages', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('following', fields.IntField(default=0)),
                ('first_contribution', fields.IntField(default=0)),
                ('regular', fields.IntField(default=0)),
                ('passionate', fields.IntField(default=0)),
            ],
            options={'table': 'insight_stage_day', 'app': 'fedicom', 'unique_together': (('group', 'day'),), 'pk_attr': 'id', 'table_description': 'How many members were in each engagement stage on a day: the funnel and how it moves. Written'},
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
        ops.CreateModel(
            name='Alert',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='alerts', on_delete=OnDelete.CASCADE)),
                ('metric', fields.CharEnumField(description='NEGATIVE_SHARE: negative_share\nREPORTS: reports\nLEAVES: leaves', enum_type=AlertMetric, max_length=16)),
                ('day', fields.DateField()),
                ('value', fields.FloatField()),
                ('count', fields.IntField()),
                ('baseline', fields.FloatField()),
                ('spread', fields.FloatField()),
                ('threshold', fields.FloatField()),
                ('behind', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'insight_alert', 'app': 'fedicom', 'unique_together': (('group', 'metric', 'day'),), 'pk_attr': 'id', 'table_description': "A metric that spiked on a community's day, with what was behind it. Once per metric and day."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AlertRule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', null=True, db_constraint=True, to_field='id', related_name='alert_rules', on_delete=OnDelete.CASCADE)),
                ('metric', fields.CharEnumField(description='NEGATIVE_SHARE: negative_share\nREPORTS: reports\nLEAVES: leaves', enum_type=AlertMetric, max_length=16)),
                ('baseline_days', fields.IntField(default=28)),
                ('k', fields.FloatField(default=4.0)),
                ('min_count', fields.IntField(default=5)),
                ('enabled', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'insight_alert_rule', 'app': 'fedicom', 'unique_together': (('group', 'metric'),), 'pk_attr': 'id', 'table_description': "When a metric's day rises above its recent baseline: the mean of the `baseline_days` before plus"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReportSeen',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='insight_reports', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('report_id', fields.BigIntField()),
            ],
            options={'table': 'insight_report', 'app': 'fedicom', 'indexes': [Index(fields=['group_id', 'day'])], 'pk_attr': 'id', 'table_description': 'A report filed about a community on one of its days: what a reports alert lists.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TrafficDay',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='insight_traffic', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('source', fields.CharField(max_length=255)),
                ('views', fields.IntField(default=0)),
            ],
            options={'table': 'insight_traffic', 'app': 'fedicom', 'unique_together': (('group', 'day', 'source'),), 'pk_attr': 'id', 'table_description': "Page views of a community's pages on one of its days, by referring site (traffic.py)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Expert',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='experts', on_delete=OnDelete.CASCADE)),
                ('actor', fields.CharField(max_length=1024)),
                ('granted_by', fields.CharField(max_length=1024)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'insight_expert', 'app': 'fedicom', 'unique_together': (('group', 'actor'),), 'pk_attr': 'id', 'table_description': 'A member staff recognised as an expert of one community: shown next to their name on its pages.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CountEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=8)),
                ('payload', fields.TextField(unique=False)),
            ],
            options={'table': 'insight_event', 'app': 'fedicom', 'pk_attr': 'id', 'table_description': 'A post or vote still to count (backlog.py): written with the activity, deleted when counted.'},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='MemberDay',
            index=Index(fields=['group_id', 'day', 'actor', 'posts', 'comments', 'votes']),
        ),
        ops.RunPython(members_so_far, nothing),
    ]
