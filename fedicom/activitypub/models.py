"""Storage of the federation layer: keys, cached remote actors, the inbox and the delivery queue.

Times that workers compare in SQL (next try, leases) are epoch seconds in float columns, so the
same queries run unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class SigningKey(Model):
    """The RSA key of a local actor (group or instance actor)."""

    key_id = fields.CharField(max_length=1024, primary_key=True)
    owner = fields.CharField(max_length=1024, db_index=True)
    private_pem = fields.TextField()
    public_pem = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "signing_key"


class RemoteActor(Model):
    """A remote actor as last fetched: what delivery and signature checks need, plus the document."""

    uri = fields.CharField(max_length=1024, primary_key=True)
    type = fields.CharField(max_length=32)
    host = fields.CharField(max_length=255, db_index=True)
    preferred_username = fields.CharField(max_length=255, null=True)
    name = fields.TextField(null=True)
    inbox = fields.CharField(max_length=1024)
    shared_inbox = fields.CharField(max_length=1024, null=True)
    followers = fields.CharField(max_length=1024, null=True)
    key_id = fields.CharField(max_length=1024, null=True, db_index=True)
    public_key_pem = fields.TextField(null=True)
    document: dict[str, Any] = fields.JSONField()
    fetched_at = fields.FloatField()

    class Meta:
        table = "remote_actor"

    @property
    def delivery_inbox(self) -> str:
        """Shared inbox when advertised: one delivery per server instead of one per member."""
        return self.shared_inbox or self.inbox


class InboxState(StrEnum):
    PENDING = "pending"  # waiting for its (next) try
    DONE = "done"  # handled, or refused for good (`error` says why)
    FAILED = "failed"  # tries used up


class InboxItem(Model):
    """An accepted inbound activity, stored before it is answered 202 and processed from here."""

    id = fields.BigIntField(primary_key=True)
    activity_id = fields.CharField(max_length=1024, unique=True)
    actor = fields.CharField(max_length=1024)
    recipient = fields.CharField(max_length=1024, null=True)
    payload = fields.TextField()
    state = fields.CharEnumField(InboxState, max_length=12, default=InboxState.PENDING)
    tries = fields.IntField(default=0)
    next_try_at = fields.FloatField()
    lease_until = fields.FloatField(null=True)
    leased_by = fields.CharField(max_length=32, null=True)  # the WorkerProcess holding the lease
    received_at = fields.FloatField()
    error = fields.TextField(null=True)

    class Meta:
        table = "inbox_item"
        indexes = (("state", "next_try_at"),)


class OutgoingActivity(Model):
    """An activity a local actor published, kept so its id stays dereferenceable (and for the outbox)."""

    id = fields.BigIntField(primary_key=True)
    activity_id = fields.CharField(max_length=1024, unique=True)
    actor = fields.CharField(max_length=1024)
    type = fields.CharField(max_length=32)
    inner_type = fields.CharField(max_length=32, null=True)
    object_id = fields.CharField(max_length=1024, null=True, db_index=True)
    public = fields.BooleanField(default=True)
    payload = fields.TextField()
    created_at = fields.FloatField()

    class Meta:
        table = "outgoing_activity"
        indexes = (("actor", "type", "id"),)


class DeliveryState(StrEnum):
    PENDING = "pending"  # waiting for its (next) try
    DONE = "done"  # the inbox answered 2xx
    FAILED = "failed"  # refused for good, or tries used up
    CANCELLED = "cancelled"  # the server was blocked before it was sent
    SKIPPED = "skipped"  # the server had been unreachable for days


class Delivery(Model):
    """One activity to one inbox: the unit of the durable delivery queue."""

    id = fields.BigIntField(primary_key=True)
    activity: fields.ForeignKeyRelation[OutgoingActivity] = fields.ForeignKeyField(
        "fedicom.OutgoingActivity", related_name="deliveries", on_delete=fields.CASCADE
    )
    inbox = fields.CharField(max_length=1024)
    host = fields.CharField(max_length=255)
    order_key = fields.CharField(max_length=32)
    state = fields.CharEnumField(DeliveryState, max_length=12, default=DeliveryState.PENDING)
    tries = fields.IntField(default=0)
    next_try_at = fields.FloatField()
    lease_until = fields.FloatField(null=True)
    leased_by = fields.CharField(max_length=32, null=True)  # the WorkerProcess holding the lease
    last_status = fields.IntField(null=True)
    last_error = fields.TextField(null=True)
    updated_at = fields.FloatField()

    class Meta:
        table = "delivery"
        indexes = (("state", "next_try_at"), ("state", "inbox", "order_key", "id"), ("host", "state"))


class RemoteServer(Model):
    """Per-server health: a server failing for days is skipped until it is heard from again.

    Also the software its NodeInfo names, which decides the shape of announce it is sent (software.py).
    """

    host = fields.CharField(max_length=255, primary_key=True)
    failing_since = fields.FloatField(null=True)
    last_success = fields.FloatField(null=True)
    unreachable = fields.BooleanField(default=False)
    last_error = fields.TextField(null=True)
    software = fields.CharField(max_length=64, null=True)  # NodeInfo software.name; None: not known
    software_checked_at = fields.FloatField(null=True)  # None: never asked

    class Meta:
        table = "remote_server"


class WorkerProcess(Model):
    """A running process that claims jobs: its heartbeat says it still holds its leases (see holders)."""

    id = fields.CharField(max_length=32, primary_key=True)
    machine = fields.CharField(max_length=128, null=True)  # equal values see the same process ids
    pid = fields.IntField()
    pid_started = fields.BigIntField(null=True)  # the kernel's start time of pid: tells a reused pid apart
    started_at = fields.FloatField()
    heartbeat_at = fields.FloatField()

    class Meta:
        table = "worker_process"
