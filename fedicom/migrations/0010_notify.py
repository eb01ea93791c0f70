from tortoise import migrations
from tortoise.migrations import operations as ops
from fedicom.migrations._filled import AddFilledField
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('fedicom', '0009_brand')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Job',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=64)),
                ('payload', fields.TextField(default='{}', unique=False)),
                ('state', fields.CharField(default='pending', max_length=12)),
                ('tries', fields.IntField(default=0)),
                ('next_try_at', fields.FloatField()),
                ('lease_until', fields.FloatField(null=True)),
                ('leased_by', fields.CharField(null=True, max_length=32)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('key', fields.CharField(null=True, unique=True, max_length=255)),
                ('created_at', fields.FloatField()),
                ('updated_at', fields.FloatField()),
            ],
            options={'table': 'job', 'app': 'fedicom', 'indexes': [Index(fields=['state', 'next_try_at'])], 'pk_attr': 'id', 'table_description': 'One piece of work of a kind, with its JSON payload, run once by whichever process claims it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.ForeignKeyField('fedicom.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=16)),
                ('community', fields.ForeignKeyField('fedicom.Group', source_field='community_id', null=True, db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('actor', fields.CharField(max_length=1024)),
                ('url', fields.CharField(max_length=1024)),
                ('excerpt', fields.CharField(default='', max_length=300)),
                ('mailed', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notification', 'app': 'fedicom', 'indexes': [Index(fields=['staff_id', 'read_at', 'id'])], 'pk_attr': 'id', 'table_description': "Something that needs one staff member's attention: unread until they mark it read."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NotificationSettings',
            fields=[
                ('staff', fields.OneToOneField('fedicom.Staff', source_field='staff_id', primary_key=True, db_index=True, db_constraint=True, to_field='id', related_name='notification_settings', on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharField(default='page', max_length=12)),
                ('webhook_url', fields.CharField(default='', max_length=1024)),
                ('webhook_secret', fields.CharField(default='', max_length=128)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'notification_settings', 'app': 'fedicom', 'pk_attr': 'staff_id', 'table_description': "One staff member's choice of channel and the webhook it needs (the email is on the account)."},
            bases=['Model'],
        ),
        AddFilledField(
            model_name='Staff',
            name='email',
            field=fields.CharField(default='', max_length=254),
        ),
    ]
