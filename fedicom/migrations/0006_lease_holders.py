from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fedicom', '0005_staff_sessions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WorkerProcess',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('machine', fields.CharField(null=True, max_length=128)),
                ('pid', fields.IntField()),
                ('pid_started', fields.BigIntField(null=True)),
                ('started_at', fields.FloatField()),
                ('heartbeat_at', fields.FloatField()),
            ],
            options={'table': 'worker_process', 'app': 'fedicom', 'pk_attr': 'id', 'table_description': 'A running process that claims jobs: its heartbeat says it still holds its leases (see holders).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Delivery',
            name='leased_by',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='InboxItem',
            name='leased_by',
            field=fields.CharField(null=True, max_length=32),
        ),
    ]
