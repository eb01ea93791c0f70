"""Storage of moderation: staff, domain blocks and allows, bans, reports, filters, the modlog."""

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


class DomainAllow(Model):
    """A server approved for federation: the list in allowlist mode, the released ones in quarantine."""

    id = fields.IntField(primary_key=True)
    domain = fields.CharField(max_length=255, unique=True)
    comment = fields.TextField(default="")
    source = fields.CharField(max_length=255, default="manual")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "domain_allow"


class Staff(Model):
    """A local staff account: an instance admin, or a moderator of some communities."""

    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    display_name = fields.CharField(max_length=200, default="")
    password_hash = fields.CharField(max_length=255)  # argon2id
    is_admin = fields.BooleanField(default=False)
    disabled = fields.BooleanField(default=False)
    email = fields.CharField(max_length=254, default="")  # where notifications are mailed, if chosen
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "staff"


class ApiToken(Model):
    """A scoped, revocable API token (only a hash of the secret is kept)."""

    id = fields.IntField(primary_key=True)
    staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "fedicom.Staff", related_name="tokens", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    token_hash = fields.CharField(max_length=64, unique=True)  # sha256 hex of the secret
    scopes: list[str] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"


class StaffSession(Model):
    """A signed-in browser of a staff member (only a hash of the cookie's secret is kept)."""

    id = fields.IntField(primary_key=True)
    staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "fedicom.Staff", related_name="sessions", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)  # sha256 hex of the cookie secret
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    address = fields.CharField(max_length=64, default="")
    user_agent = fields.CharField(max_length=255, default="")

    class Meta:
        table = "staff_session"


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
    state = fields.CharField(max_length=12, default="open")  # "open", "resolved" or "dismissed"
    resolution = fields.TextField(default="")
    resolved_by = fields.CharField(max_length=1024, null=True)
    resolved_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "report"
        indexes = (("community_id", "state"),)


class Filter(Model):
    """A keyword or regular-expression filter on posts, instance-wide or for one community."""

    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="filters", null=True, on_delete=fields.CASCADE
    )
    pattern = fields.TextField()
    regex = fields.BooleanField(default=False)
    action = fields.CharField(max_length=8, default="hold")  # "hold" or "reject"
    comment = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "filter"
