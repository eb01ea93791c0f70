"""Storage of refusals: each inbound post a community refused or held, and the notices sent about them."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from fedicom.groups.models import Group


class Told(StrEnum):
    """Whether, and why not, the author was sent a notice about a refusal."""

    SENT = "sent"  # a direct message from the Group is queued for delivery
    ALREADY = "already_told"  # told about the same reason in this community today
    OFF = "off"  # the community does not send notices
    WITHHELD = "withheld"  # banned or from a blocked server: abusers are not told
    DIRECT = "direct_message"  # a direct message to the community is not answered as a refused post
    UNKNOWN = "unknown_actor"  # no stored actor document to address (never happens for signed posts)
    VOTE = "vote"  # refused votes are counted, never answered


class Refusal(Model):
    """One inbound post, reply or vote a community refused, or a post it holds for a moderator."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Group] = fields.ForeignKeyField(
        "fedicom.Group", related_name="refusals", on_delete=fields.CASCADE
    )
    author = fields.CharField(max_length=1024, db_index=True)
    object_id = fields.CharField(max_length=1024)
    activity_id = fields.CharField(max_length=1024)
    kind = fields.CharField(max_length=8)  # groups.reasons.Kind
    code = fields.CharField(max_length=32)  # groups.reasons.Reason
    held = fields.BooleanField(default=False)  # stored, waiting for a moderator (not refused)
    reason = fields.TextField()
    excerpt = fields.TextField(default="")  # the start of the post as plain text, never all of it
    told = fields.CharField(max_length=16)  # Told
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "refusal"
        indexes = (("group_id", "id"), ("created_at",))


class RefusalNotice(Model):
    """A notice sent to an author: at most one per community, author, reason and day (the unique key)."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Group] = fields.ForeignKeyField(
        "fedicom.Group", related_name="refusal_notices", on_delete=fields.CASCADE
    )
    author = fields.CharField(max_length=1024)
    code = fields.CharField(max_length=32)
    day = fields.DateField()  # UTC
    activity_id = fields.CharField(max_length=1024)  # the Create of the direct message
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "refusal_notice"
        unique_together = (("group", "author", "code", "day"),)
