"""What listening keeps: the relays this server follows, each community's subscriptions, the public posts
that matched them (for `FEDICOM_LISTEN_KEEP_DAYS`) and daily counts that outlive those posts.

Nothing here is a community's post: matches are never announced, never shown on public pages.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from fedicom.insights.models import Sentiment


class RelayState(StrEnum):
    PENDING = "pending"  # Follow queued or sent, no answer yet
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class ListenKind(StrEnum):
    RELAY = "relay"
    KEYWORD = "keyword"
    HASHTAG = "hashtag"


class Relay(Model):
    """A relay the instance actor follows (one Follow however many communities subscribe to it)."""

    id = fields.IntField(primary_key=True)
    actor_uri = fields.CharField(max_length=1024, unique=True)
    inbox = fields.CharField(max_length=1024)
    follow_id = fields.CharField(max_length=1024)
    state = fields.CharEnumField(RelayState, max_length=16, default=RelayState.PENDING)
    answered_at = fields.DatetimeField(null=True)
    heard = fields.BigIntField(default=0)  # announces received from it
    last_heard_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "listen_relay"


class Subscription(Model):
    """One thing a community listens for: a relay (`term` is its actor URI), a keyword or a hashtag
    (`term` as typed, without the `#`)."""

    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="listen_subscriptions", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(ListenKind, max_length=16)
    term = fields.CharField(max_length=1024)
    relay: fields.ForeignKeyNullableRelation[Relay] = fields.ForeignKeyField(
        "fedicom.Relay", related_name="subscriptions", null=True, on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "listen_subscription"
        unique_together = (("group", "kind", "term"),)


class Heard(Model):
    """A public post from outside the community that matched its keywords or hashtags."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="listen_heard", on_delete=fields.CASCADE
    )
    object_id = fields.CharField(max_length=1024)
    author = fields.CharField(max_length=1024)
    url = fields.CharField(max_length=1024)  # where a person reads (and answers) it, on its server
    excerpt = fields.TextField()
    published = fields.DatetimeField(null=True)
    heard_at = fields.DatetimeField()
    sentiment = fields.CharEnumField(Sentiment, max_length=16)
    language = fields.CharField(max_length=16, default="")
    terms: Any = fields.JSONField(default=list)  # the keywords and #hashtags it matched
    via = fields.CharField(max_length=1024, default="")  # the relay's actor URI; "" when sent to us

    class Meta:
        table = "listen_heard"
        unique_together = (("group", "object_id"),)
        indexes = (("group_id", "heard_at"),)


class HeardDay(Model):
    """A community's matches on one of its days, by sentiment: kept after the posts are pruned."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="listen_days", on_delete=fields.CASCADE
    )
    day = fields.DateField()
    posts = fields.IntField(default=0)
    positive = fields.IntField(default=0)
    neutral = fields.IntField(default=0)
    negative = fields.IntField(default=0)
    not_scored = fields.IntField(default=0)

    class Meta:
        table = "listen_day"
        unique_together = (("group", "day"),)
