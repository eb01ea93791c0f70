"""Storage of invite links and of the passes people took from them."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Invite(Model):
    """An invite link of a community: a secret code, optionally limited in uses and in time."""

    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="invites", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=32, unique=True)
    created_by = fields.CharField(max_length=1024)  # the staff member's actor URI
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(null=True)  # None: never
    max_uses = fields.IntField(null=True)  # None: no limit
    uses = fields.IntField(default=0)  # people who took a pass from it
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "invite"
        indexes = (("group_id", "created_at"),)


class InvitePass(Model):
    """A person who opened an invite link and gave their handle: their join request is let in at once
    (when it arrives, or at once if it was already waiting). `used_at` is set when it let them in."""

    id = fields.IntField(primary_key=True)
    invite: fields.ForeignKeyRelation[Invite] = fields.ForeignKeyField(
        "fedicom.Invite", related_name="passes", on_delete=fields.CASCADE
    )
    actor = fields.CharField(max_length=1024)
    created_at = fields.DatetimeField(auto_now_add=True)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "invite_pass"
        unique_together = (("invite", "actor"),)
        indexes = (("actor",),)
