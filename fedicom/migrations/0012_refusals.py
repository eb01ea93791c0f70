from tortoise import migrations
from tortoise.migrations import operations as ops
from fedicom.migrations._filled import AddFilledField
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('fedicom', '0011_scheduled_posts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Refusal',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='refusals', on_delete=OnDelete.CASCADE)),
                ('author', fields.CharField(db_index=True, max_length=1024)),
                ('object_id', fields.CharField(max_length=1024)),
                ('activity_id', fields.CharField(max_length=1024)),
                ('kind', fields.CharField(max_length=8)),
                ('code', fields.CharField(max_length=32)),
                ('held', fields.BooleanField(default=False)),
                ('reason', fields.TextField(unique=False)),
                ('excerpt', fields.TextField(default='', unique=False)),
                ('told', fields.CharField(max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'refusal', 'app': 'fedicom', 'indexes': [Index(fields=['group_id', 'id']), Index(fields=['created_at'])], 'pk_attr': 'id', 'table_description': 'One inbound post, reply or vote a community refused, or a post it holds for a moderator.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RefusalNotice',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='refusal_notices', on_delete=OnDelete.CASCADE)),
                ('author', fields.CharField(max_length=1024)),
                ('code', fields.CharField(max_length=32)),
                ('day', fields.DateField()),
                ('activity_id', fields.CharField(max_length=1024)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'refusal_notice', 'app': 'fedicom', 'unique_together': (('group', 'author', 'code', 'day'),), 'pk_attr': 'id', 'table_description': 'A notice sent to an author: at most one per community, author, reason and day (the unique key).'},
            bases=['Model'],
        ),
        AddFilledField(
            model_name='Group',
            name='notify_refusals',
            field=fields.BooleanField(default=True),
        ),
    ]
