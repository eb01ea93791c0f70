from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('fedicom', '0007_publishing')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Post',
            index=Index(fields=['root_id', 'id']),
        ),
        ops.AddIndex(
            model_name='Post',
            index=Index(fields=['parent_id', 'id']),
        ),
    ]
