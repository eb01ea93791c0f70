from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fedicom', '0012_refusals')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Group',
            name='timezone',
            field=fields.CharField(default='UTC', max_length=64),
        ),
    ]
