"""Q&A: `accepted_answer`, one row per question with an accepted answer (a new table)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('fedicom', '0024_idea_board')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AcceptedAnswer',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('fedicom.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='accepted_answers', on_delete=OnDelete.CASCADE)),
                ('question', fields.OneToOneField('fedicom.Post', source_field='question_id', db_constraint=True, to_field='id', related_name='accepted_answer', on_delete=OnDelete.CASCADE)),
                ('answer', fields.ForeignKeyField('fedicom.Post', source_field='answer_id', db_constraint=True, to_field='id', related_name='accepted_for', on_delete=OnDelete.CASCADE)),
                ('accepted_by', fields.CharField(max_length=1024)),
                ('accepted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('notice', fields.CharField(default='', max_length=1024)),
            ],
            options={'table': 'accepted_answer', 'app': 'fedicom', 'indexes': [Index(fields=['group_id', 'accepted_at'])], 'pk_attr': 'id', 'table_description': 'The reply accepted as the answer to a question (a thread in a questions community).'},
            bases=['Model'],
        ),
    ]
