from tortoise import migrations
from tortoise.migrations import operations as ops
from fedicom.migrations._filled import AddFilledField
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fedicom', '0012_refusals')]

    initial = False

    operations = [
        AddFilledField(
            model_name='Group',
            name='timezone',
            field=fields.CharField(default='UTC', max_length=64),
        ),
    ]
