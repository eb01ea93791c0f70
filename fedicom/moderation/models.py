"""Storage of moderation: domain blocks and allows, bans, reports, filters, the modlog."""

from __future__ import annotations

from enum import StrEnum
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


class ModlogAction(StrEnum):
    """What a modlog entry records; the values are what the public modlog and its JSON show."""

    CREATE_COMMUNITY = "create_community"
    EDIT_COMMUNITY = "edit_community"
    ADD_MODERATOR = "add_moderator"
    CHANGE_MODERATOR_ROLE = "change_moderator_role"
    REMOVE_MODERATOR = "remove_moderator"
    APPROVE_POST = "approve_post"
    REJECT_POST = "reject_post"
    REMOVE_POST = "remove_post"
    RESTORE_POST = "restore_post"
    LOCK_POST = "lock_post"
    UNLOCK_POST = "unlock_post"
    PIN_POST = "pin_post"
    UNPIN_POST = "unpin_post"
    BAN = "ban"
    UNBAN = "unban"
    FORWARD_REPORT = "forward_report"
    RESOLVE_REPORT = "resolve_report"
    DISMISS_REPORT = "dismiss_report"
    ADD_FILTER = "add_filter"
    REMOVE_FILTER = "remove_filter"
    BLOCK_DOMAIN = "block_domain"
    UNBLOCK_DOMAIN = "unblock_domain"
    SUSPEND_APPLIED = "suspend_applied"
    REMOVE_DATA_APPLIED = "remove_data_applied"  # what a ban's clean-up removed (posts)
    ALLOW_DOMAIN = "allow_domain"
    DISALLOW_DOMAIN = "disallow_domain"
    CREATE_STAFF = "create_staff"
    REMOVE_STAFF = "remove_staff"
    SET_PASSWORD = "set_password"


class ModlogEntry(Model):
    """One moderation action: who, what, on what, why, when. Rows are never updated or deleted."""

    id = fields.BigIntField(primary_key=True)
    # the community's name, not a foreign key: history outlives the community, and rows never change
    community = fields.CharField(max_length=64, null=True, db_index=True)
    moderator = fields.CharField(max_length=1024)
    action = fields.CharEnumField(ModlogAction, max_length=40)
    target = fields.CharField(max_length=1024)
    reason = fields.TextField(default="")
    details: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "modlog_entry"


class DomainAllow(Model):
    """A server approved for federation: the list in allowlist mode, the released ones in quarantine."""

    id = fields.IntField(primary_key=True)
    domain = fields.CharField(max_length=255, unique=True)
    comment = fields.TextField(default="")
    source = fields.CharField(max_length=255, default="manual")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "domain_allow"


class Ban(Model):
    """An actor banned from one community, or from the whole instance when community is None."""

    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="bans", null=True, on_delete=fields.CASCADE
    )
    actor = fields.CharField(max_length=1024, db_index=True)
    reason = fields.TextField(default="")
    remove_data = fields.BooleanField(default=False)
    expires_at = fields.DatetimeField(null=True)
    moderator = fields.CharField(max_length=1024)
    activity_id = fields.CharField(max_length=1024, null=True)  # the Block that federated it
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ban"
        unique_together = (("community", "actor"),)


class ReportState(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


class Report(Model):
    """A report (Flag) about posts or an actor: open until a moderator resolves or dismisses it."""

    id = fields.BigIntField(primary_key=True)
    community: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="reports", null=True, on_delete=fields.CASCADE
    )
    activity_id = fields.CharField(max_length=1024, null=True, db_index=True)  # the Flag, if any
    reporter = fields.CharField(max_length=1024)
    targets: list[str] = fields.JSONField(default=list)  # reported objects and actors
    author = fields.CharField(max_length=1024, null=True)
    reason = fields.TextField(default="")
    state = fields.CharEnumField(ReportState, max_length=12, default=ReportState.OPEN)
    resolution = fields.TextField(default="")
    resolved_by = fields.CharField(max_length=1024, null=True)
    resolved_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "report"
        indexes = (("community_id", "state"),)


class FilterAction(StrEnum):
    HOLD = "hold"  # a matching post waits for a moderator
    REJECT = "reject"  # a matching post is refused


class Filter(Model):
    """A keyword or regular-expression filter on posts, instance-wide or for one community."""

    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="filters", null=True, on_delete=fields.CASCADE
    )
    pattern = fields.TextField()
    regex = fields.BooleanField(default=False)
    action = fields.CharEnumField(FilterAction, max_length=8, default=FilterAction.HOLD)
    comment = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "filter"
