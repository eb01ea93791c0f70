"""Storage of notifications: what a staff member is told about, and how each one wants to be told."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class NotificationKind(StrEnum):
    REPLY = "reply"
    MENTION = "mention"
    REPORT = "report"
    JOIN_REQUEST = "join_request"
    HELD_POST = "held_post"
    ALERT = "alert"  # insights saw negative posts, reports or leaves spike


class Channel(StrEnum):
    """How a staff member is told, besides the staff inbox page (which always lists everything)."""

    PAGE = "page"
    EMAIL = "email"
    DIGEST = "digest"
    WEBHOOK = "webhook"


class Notification(Model):
    """Something that needs one staff member's attention: unread until they mark it read."""

    id = fields.BigIntField(primary_key=True)
    staff: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Staff", related_name="notifications", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=16)  # a NotificationKind
    community: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="notifications", null=True, on_delete=fields.CASCADE
    )
    actor = fields.CharField(max_length=1024)  # who did it: the author, reporter or would-be member
    url = fields.CharField(max_length=1024)  # where to look: the thread, report or request page
    excerpt = fields.CharField(max_length=300, default="")  # plain text, never markup
    mailed = fields.BooleanField(default=False)  # included in a daily digest already
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notification"
        indexes = (("staff_id", "read_at", "id"),)


class NotificationSettings(Model):
    """One staff member's choice of channel and the webhook it needs (the email is on the account)."""

    staff: fields.OneToOneRelation[Any] = fields.OneToOneField(
        "fedicom.Staff", related_name="notification_settings", on_delete=fields.CASCADE, primary_key=True
    )
    channel = fields.CharField(max_length=12, default=Channel.PAGE.value)  # a Channel
    webhook_url = fields.CharField(max_length=1024, default="")
    webhook_secret = fields.CharField(max_length=128, default="")  # the HMAC key, shared with the receiver
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "notification_settings"
