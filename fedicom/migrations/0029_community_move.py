from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fedicom', '0028_imports')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Group',
            name='moved_to',
            field=fields.CharField(null=True, max_length=1024),
        ),
        ops.AddField(
            model_name='Group',
            name='moved_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Group',
            name='move_follow_id',
            field=fields.CharField(null=True, max_length=1024),
        ),
    ]
