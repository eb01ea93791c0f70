from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fedicom', '0025_answers')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Alias',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='aliases', on_delete=OnDelete.CASCADE)),
                ('actor', fields.CharField(max_length=1024)),
                ('added_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('moved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'community_alias', 'app': 'fedicom', 'unique_together': (('group', 'actor'),), 'pk_attr': 'id', 'table_description': 'Another account the community is also known as (`alsoKnownAs`): an account whose followers may'},
            bases=['Model'],
        ),
    ]
