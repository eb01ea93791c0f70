from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fedicom', '0014_state_enums')]

    initial = False

    operations = [
        ops.AddField(
            model_name='RemoteServer',
            name='software',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='RemoteServer',
            name='software_checked_at',
            field=fields.FloatField(null=True),
        ),
    ]
