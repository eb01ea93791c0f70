"""Staff accounts, their API tokens and their signed-in browsers (app label `fedicom`, as before)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


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
