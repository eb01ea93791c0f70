"""Storage of moderation: domain blocks and the append-only moderation log."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class DomainBlock(Model):
    """Defederation of a server (and its subdomains), instance-wide or for one community."""

    id = fields.IntField(primary_key=True)
    domain = fields.CharField(max_length=255)
    community: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="domain_blocks", null=True, on_delete=fields.CASCADE
    )
    severity = fields.CharField(max_length=12)
    reject_media = fields.BooleanField(default=False)
    reject_reports = fields.BooleanField(default=False)
    private_comment = fields.TextField(default="")
    public_comment = fields.TextField(default="")
    obfuscate = fields.BooleanField(default=False)
    source = fields.CharField(max_length=255, default="manual")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "domain_block"
        unique_together = (("domain", "community"),)


class ModlogEntry(Model):
    """One moderation action: who, what, on what, why, when. Rows are never updated or deleted."""

    id = fields.BigIntField(primary_key=True)
    # the community's name, not a foreign key: history outlives the community, and rows never change
    community = fields.CharField(max_length=64, null=True, db_index=True)
    moderator = fields.CharField(max_length=1024)
    action = fields.CharField(max_length=40)
    target = fields.CharField(max_length=1024)
    reason = fields.TextField(default="")
    details: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "modlog_entry"
