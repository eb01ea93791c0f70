from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fedicom', '0015_server_software')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Post',
            name='object_id',
            field=fields.CharField(db_index=True, max_length=1024),
        ),
    ]
