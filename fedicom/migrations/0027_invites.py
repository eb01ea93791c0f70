from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('fedicom', '0026_community_aliases')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Invite',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='invites', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('created_by', fields.CharField(max_length=1024)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('max_uses', fields.IntField(null=True)),
                ('uses', fields.IntField(default=0)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'invite', 'app': 'fedicom', 'indexes': [Index(fields=['group_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'An invite link of a community: a secret code, optionally limited in uses and in time.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InvitePass',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('invite', fields.ForeignKeyField('fedicom.Invite', source_field='invite_id', db_constraint=True, to_field='id', related_name='passes', on_delete=OnDelete.CASCADE)),
                ('actor', fields.CharField(max_length=1024)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'invite_pass', 'app': 'fedicom', 'unique_together': (('invite', 'actor'),), 'indexes': [Index(fields=['actor'])], 'pk_attr': 'id', 'table_description': 'A person who opened an invite link and gave their handle: their join request is let in at once'},
            bases=['Model'],
        ),
    ]
