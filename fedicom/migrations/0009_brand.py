from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fedicom', '0008_conversation_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SiteLook',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(default='', max_length=100)),
                ('description', fields.TextField(default='', unique=False)),
                ('logo', fields.CharField(null=True, max_length=80)),
                ('logo_width', fields.IntField(default=0)),
                ('logo_height', fields.IntField(default=0)),
                ('favicon', fields.CharField(null=True, max_length=80)),
                ('accent', fields.CharField(null=True, max_length=7)),
                ('accent_dark', fields.CharField(null=True, max_length=7)),
                ('footer_links', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('stylesheet', fields.TextField(default='', unique=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'site_look', 'app': 'fedicom', 'pk_attr': 'id', 'table_description': 'How the site presents itself. Empty name and description fall back to the settings'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Group',
            name='accent',
            field=fields.CharField(null=True, max_length=7),
        ),
    ]
