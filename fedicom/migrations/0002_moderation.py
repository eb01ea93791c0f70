from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fedicom', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DomainBlock',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('domain', fields.CharField(max_length=255)),
                ('community', fields.ForeignKeyField('fedicom.Group', source_field='community_id', null=True, db_constraint=True, to_field='id', related_name='domain_blocks', on_delete=OnDelete.CASCADE)),
                ('severity', fields.CharField(max_length=12)),
                ('reject_media', fields.BooleanField(default=False)),
                ('reject_reports', fields.BooleanField(default=False)),
                ('private_comment', fields.TextField(default='', unique=False)),
                ('public_comment', fields.TextField(default='', unique=False)),
                ('obfuscate', fields.BooleanField(default=False)),
                ('source', fields.CharField(default='manual', max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'domain_block', 'app': 'fedicom', 'unique_together': (('domain', 'community'),), 'pk_attr': 'id', 'table_description': 'Defederation of a server (and its subdomains), instance-wide or for one community.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ModlogEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.CharField(null=True, db_index=True, max_length=64)),
                ('moderator', fields.CharField(max_length=1024)),
                ('action', fields.CharField(max_length=40)),
                ('target', fields.CharField(max_length=1024)),
                ('reason', fields.TextField(default='', unique=False)),
                ('details', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'modlog_entry', 'app': 'fedicom', 'pk_attr': 'id', 'table_description': 'One moderation action: who, what, on what, why, when. Rows are never updated or deleted.'},
            bases=['Model'],
        ),
    ]
