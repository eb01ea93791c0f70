from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fedicom', '0027_invites')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Group',
            name='origin_uri',
            field=fields.CharField(null=True, max_length=1024),
        ),
        ops.AddField(
            model_name='Post',
            name='origin_uri',
            field=fields.CharField(null=True, db_index=True, max_length=1024),
        ),
    ]
