from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('fedicom', '0010_notify')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ScheduledPost',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='scheduled_posts', on_delete=OnDelete.CASCADE)),
                ('author', fields.CharField(max_length=1024)),
                ('draft', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('run_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('every', fields.CharField(null=True, max_length=100)),
                ('timezone', fields.CharField(default='UTC', max_length=64)),
                ('state', fields.CharField(default='scheduled', max_length=12)),
                ('published', fields.IntField(default=0)),
                ('last_post_id', fields.BigIntField(null=True)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'scheduled_post', 'app': 'fedicom', 'indexes': [Index(fields=['state', 'run_at'])], 'pk_attr': 'id', 'table_description': 'A post written now and published later, once or again and again by a repeat rule.'},
            bases=['Model'],
        ),
    ]
