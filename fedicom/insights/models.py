"""What insights keep, updated as activity arrives so a dashboard reads sums, never the raw history.

Days are the community's own (its time zone). Posts, comments and votes are counted on the day they
arrived and stay counted when later removed or deleted; a withdrawn vote is taken back from the day
it was cast. Only activity inside communities is kept: nothing about visitors.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"
    NOT_SCORED = "not_scored"  # a language no shipped model reads: counted, never guessed


class CommunityDay(Model):
    """One community's counts for one of its days."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="insight_days", on_delete=fields.CASCADE
    )
    day = fields.DateField()
    posts = fields.IntField(default=0)
    comments = fields.IntField(default=0)
    votes = fields.IntField(default=0)
    joins = fields.IntField(default=0)
    leaves = fields.IntField(default=0)
    reports = fields.IntField(default=0)
    positive = fields.IntField(default=0)
    neutral = fields.IntField(default=0)
    negative = fields.IntField(default=0)
    not_scored = fields.IntField(default=0)

    class Meta:
        table = "insight_day"
        unique_together = (("group", "day"),)


class MemberDay(Model):
    """What one actor did in one community on one day: active members are counted from these."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="insight_member_days", on_delete=fields.CASCADE
    )
    day = fields.DateField()
    actor = fields.CharField(max_length=1024)
    posts = fields.IntField(default=0)
    comments = fields.IntField(default=0)
    votes = fields.IntField(default=0)

    class Meta:
        table = "insight_member_day"
        unique_together = (("group", "day", "actor"),)


class MemberTotals(Model):
    """One actor's whole record in one community: stages, contributors, influencers and experts."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="insight_members", on_delete=fields.CASCADE
    )
    actor = fields.CharField(max_length=1024)
    posts = fields.IntField(default=0)
    comments = fields.IntField(default=0)
    votes = fields.IntField(default=0)
    first_at = fields.DatetimeField(null=True)  # first post or comment
    last_at = fields.DatetimeField(null=True)
    up_received = fields.IntField(default=0)
    down_received = fields.IntField(default=0)
    comment_up_received = fields.IntField(default=0)  # what makes an expert
    replies_received = fields.IntField(default=0)
    engagers = fields.IntField(default=0)  # distinct members who replied to or voted on their posts

    class Meta:
        table = "insight_member"
        unique_together = (("group", "actor"),)


class Engagement(Model):
    """`engager` replied to or voted on something `author` posted: counted once per pair."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="insight_engagements", on_delete=fields.CASCADE
    )
    author = fields.CharField(max_length=1024)
    engager = fields.CharField(max_length=1024)

    class Meta:
        table = "insight_engagement"
        unique_together = (("group", "author", "engager"),)


class ThreadFacts(Model):
    """How a thread was answered: the first reply, whether staff answered, its size and depth."""

    id = fields.BigIntField(primary_key=True)
    post: fields.OneToOneRelation[Any] = fields.OneToOneField(
        "fedicom.Post", related_name="insight_thread", on_delete=fields.CASCADE
    )
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="insight_threads", on_delete=fields.CASCADE
    )
    author = fields.CharField(max_length=1024)
    created_at = fields.DatetimeField()
    question = fields.BooleanField(default=False)
    first_reply_at = fields.DatetimeField(null=True)  # the first reply by someone else
    first_reply_minutes = fields.IntField(null=True)  # how long it waited for it
    staff_replied = fields.BooleanField(default=False)
    replies = fields.IntField(default=0)
    participants = fields.IntField(default=1)
    depth = fields.IntField(default=0)

    class Meta:
        table = "insight_thread"
        indexes = (("group_id", "created_at"),)


class Participant(Model):
    """Who took part in a thread (its author and each replier), once each."""

    id = fields.BigIntField(primary_key=True)
    thread: fields.ForeignKeyRelation[ThreadFacts] = fields.ForeignKeyField(
        "fedicom.ThreadFacts", related_name="participant_rows", on_delete=fields.CASCADE
    )
    actor = fields.CharField(max_length=1024)

    class Meta:
        table = "insight_participant"
        unique_together = (("thread", "actor"),)


class PostFacts(Model):
    """Per post or comment: where it sits in its thread and how it reads."""

    id = fields.BigIntField(primary_key=True)
    post: fields.OneToOneRelation[Any] = fields.OneToOneField(
        "fedicom.Post", related_name="insight_facts", on_delete=fields.CASCADE
    )
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="insight_posts", on_delete=fields.CASCADE
    )
    day = fields.DateField()
    depth = fields.IntField(default=0)  # 0 for a thread, 1 for a reply to it...
    language = fields.CharField(max_length=16, default="")
    sentiment = fields.CharEnumField(Sentiment, max_length=12, default=Sentiment.NOT_SCORED)
    compound = fields.FloatField(null=True)  # VADER's -1..1, None when not scored

    class Meta:
        table = "insight_post"
        indexes = (("group_id", "day"),)


class MemberEvent(Model):
    """A join or a leave, kept because a membership row is deleted when it ends."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="insight_member_events", on_delete=fields.CASCADE
    )
    actor = fields.CharField(max_length=1024)
    joined = fields.BooleanField()
    at = fields.DatetimeField()

    class Meta:
        table = "insight_member_event"
        indexes = (("group_id", "at"),)
