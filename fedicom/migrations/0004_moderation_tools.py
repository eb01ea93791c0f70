from tortoise import migrations
from tortoise.migrations import operations as ops
from fedicom.migrations._filled import AddFilledField
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('fedicom', '0003_modlog_append_only')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Ban',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('fedicom.Group', source_field='community_id', null=True, db_constraint=True, to_field='id', related_name='bans', on_delete=OnDelete.CASCADE)),
                ('actor', fields.CharField(db_index=True, max_length=1024)),
                ('reason', fields.TextField(default='', unique=False)),
                ('remove_data', fields.BooleanField(default=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('moderator', fields.CharField(max_length=1024)),
                ('activity_id', fields.CharField(null=True, max_length=1024)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'ban', 'app': 'fedicom', 'unique_together': (('community', 'actor'),), 'pk_attr': 'id', 'table_description': 'An actor banned from one community, or from the whole instance when community is None.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DomainAllow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('domain', fields.CharField(unique=True, max_length=255)),
                ('comment', fields.TextField(default='', unique=False)),
                ('source', fields.CharField(default='manual', max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'domain_allow', 'app': 'fedicom', 'pk_attr': 'id', 'table_description': 'A server approved for federation: the list in allowlist mode, the released ones in quarantine.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Filter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('fedicom.Group', source_field='community_id', null=True, db_constraint=True, to_field='id', related_name='filters', on_delete=OnDelete.CASCADE)),
                ('pattern', fields.TextField(unique=False)),
                ('regex', fields.BooleanField(default=False)),
                ('action', fields.CharField(default='hold', max_length=8)),
                ('comment', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'filter', 'app': 'fedicom', 'pk_attr': 'id', 'table_description': 'A keyword or regular-expression filter on posts, instance-wide or for one community.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Report',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('fedicom.Group', source_field='community_id', null=True, db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.CASCADE)),
                ('activity_id', fields.CharField(null=True, db_index=True, max_length=1024)),
                ('reporter', fields.CharField(max_length=1024)),
                ('targets', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('author', fields.CharField(null=True, max_length=1024)),
                ('reason', fields.TextField(default='', unique=False)),
                ('state', fields.CharField(default='open', max_length=12)),
                ('resolution', fields.TextField(default='', unique=False)),
                ('resolved_by', fields.CharField(null=True, max_length=1024)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'report', 'app': 'fedicom', 'indexes': [Index(fields=['community_id', 'state'])], 'pk_attr': 'id', 'table_description': 'A report (Flag) about posts or an actor: open until a moderator resolves or dismisses it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Staff',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('username', fields.CharField(unique=True, max_length=64)),
                ('display_name', fields.CharField(default='', max_length=200)),
                ('password_hash', fields.CharField(max_length=255)),
                ('is_admin', fields.BooleanField(default=False)),
                ('disabled', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_login_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff', 'app': 'fedicom', 'pk_attr': 'id', 'table_description': 'A local staff account: an instance admin, or a moderator of some communities.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.ForeignKeyField('fedicom.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('scopes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_token', 'app': 'fedicom', 'pk_attr': 'id', 'table_description': 'A scoped, revocable API token (only a hash of the secret is kept).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Group',
            name='max_links',
            field=fields.IntField(null=True),
        ),
        AddFilledField(
            model_name='Group',
            name='premoderation',
            field=fields.CharField(default='off', max_length=12),
        ),
        AddFilledField(
            model_name='Moderator',
            name='role',
            field=fields.CharField(default='moderator', max_length=12),
        ),
        ops.AddField(
            model_name='Post',
            name='activity',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        AddFilledField(
            model_name='Post',
            name='locked',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='Post',
            name='pinned_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        AddFilledField(
            model_name='Post',
            name='state',
            field=fields.CharField(default='visible', max_length=12),
        ),
        AddFilledField(
            model_name='Post',
            name='state_reason',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddIndex(
            model_name='Post',
            index=Index(fields=['group_id', 'state', 'id']),
        ),
    ]
