from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fedicom', '0004_moderation_tools')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StaffSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.ForeignKeyField('fedicom.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('address', fields.CharField(default='', max_length=64)),
                ('user_agent', fields.CharField(default='', max_length=255)),
            ],
            options={'table': 'staff_session', 'app': 'fedicom', 'pk_attr': 'id', 'table_description': "A signed-in browser of a staff member (only a hash of the cookie's secret is kept)."},
            bases=['Model'],
        ),
    ]
