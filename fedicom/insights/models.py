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


class AlertMetric(StrEnum):
    NEGATIVE_SHARE = "negative_share"  # share of the day's scored posts and comments that read negative
    REPORTS = "reports"
    LEAVES = "leaves"


class CountEvent(Model):
    """A post or vote still to count (backlog.py): written with the activity, deleted when counted."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=8)  # post, vote
    payload = fields.TextField()

    class Meta:
        table = "insight_event"


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
    active = fields.IntField(default=0)  # members who posted, commented or voted that day
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
        # covering the period's sums per member (top contributors): read from the index alone
        indexes = (("group_id", "day", "actor", "posts", "comments", "votes"),)


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


class ThreadDay(Model):
    """The threads started on a day of the community's calendar, as they have been answered so far: what
    responsiveness and interaction read for days over 24 hours old, instead of every thread's row."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="insight_thread_days", on_delete=fields.CASCADE
    )
    day = fields.DateField()
    threads = fields.IntField(default=0)
    questions = fields.IntField(default=0)
    staff_answered = fields.IntField(default=0)  # questions staff replied to
    no_reply = fields.IntField(default=0)  # no reply by someone else yet
    under_1h = fields.IntField(default=0)  # first reply bands
    h1_4 = fields.IntField(default=0)
    h4_24 = fields.IntField(default=0)
    over_24h = fields.IntField(default=0)
    participants = fields.IntField(default=0)  # summed over the day's threads
    depth_sum = fields.IntField(default=0)
    depth_max = fields.IntField(default=0)

    class Meta:
        table = "insight_thread_day"
        unique_together = (("group", "day"),)


class WaitDay(Model):
    """How many of a day's threads waited so many minutes for their first reply: the exact median of a
    period from a few rows per day."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="insight_waits", on_delete=fields.CASCADE
    )
    day = fields.DateField()
    minutes = fields.IntField()
    threads = fields.IntField(default=0)

    class Meta:
        table = "insight_wait"
        unique_together = (("group", "day", "minutes"),)


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


class ServerMembers(Model):
    """Members per server, moved by each join and leave: the "by server" chart reads these rows, not
    every membership."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="insight_servers", on_delete=fields.CASCADE
    )
    host = fields.CharField(max_length=255)
    members = fields.IntField(default=0)

    class Meta:
        table = "insight_server"
        unique_together = (("group", "host"),)


class LanguageDay(Model):
    """Posts and comments per language and day ("" when neither declared nor identified)."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="insight_languages", on_delete=fields.CASCADE
    )
    day = fields.DateField()
    language = fields.CharField(max_length=16)
    posts = fields.IntField(default=0)

    class Meta:
        table = "insight_language_day"
        unique_together = (("group", "day", "language"),)


class TrafficDay(Model):
    """Page views of a community's pages on one of its days, by referring site (traffic.py)."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="insight_traffic", on_delete=fields.CASCADE
    )
    day = fields.DateField()
    source = fields.CharField(max_length=255)  # the referring host; "" direct; "(this site)" internal
    views = fields.IntField(default=0)

    class Meta:
        table = "insight_traffic"
        unique_together = (("group", "day", "source"),)


class StageDay(Model):
    """How many members were in each engagement stage on a day: the funnel and how it moves. Written
    once a day (and when insights are read on a day that has none yet), since a stage also changes by
    the days that pass without activity."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="insight_stages", on_delete=fields.CASCADE
    )
    day = fields.DateField()
    following = fields.IntField(default=0)
    first_contribution = fields.IntField(default=0)
    regular = fields.IntField(default=0)
    passionate = fields.IntField(default=0)

    class Meta:
        table = "insight_stage_day"
        unique_together = (("group", "day"),)


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


class ReportSeen(Model):
    """A report filed about a community on one of its days: what a reports alert lists."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="insight_reports", on_delete=fields.CASCADE
    )
    day = fields.DateField()
    report_id = fields.BigIntField()

    class Meta:
        table = "insight_report"
        indexes = (("group_id", "day"),)


class AlertRule(Model):
    """When a metric's day rises above its recent baseline: the mean of the `baseline_days` before plus
    `k` standard deviations, and at least `min_count` events. A rule without a community applies to
    every community that has no rule of its own for that metric; with no rule at all, the defaults
    below apply (alerts.py). `enabled` False switches the metric off where the rule applies."""

    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="alert_rules", null=True, on_delete=fields.CASCADE
    )
    metric = fields.CharEnumField(AlertMetric, max_length=16)
    baseline_days = fields.IntField(default=28)
    k = fields.FloatField(default=4.0)
    min_count = fields.IntField(default=5)
    enabled = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "insight_alert_rule"
        unique_together = (("group", "metric"),)


class Alert(Model):
    """A metric that spiked on a community's day, with what was behind it. Once per metric and day."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="alerts", on_delete=fields.CASCADE
    )
    metric = fields.CharEnumField(AlertMetric, max_length=16)
    day = fields.DateField()
    value = fields.FloatField()  # the day's figure (a share for negative_share, else a count)
    count = fields.IntField()  # the events behind it
    baseline = fields.FloatField()  # the mean of the days before
    spread = fields.FloatField()  # their standard deviation (or its floor)
    threshold = fields.FloatField()
    behind: list[dict[str, Any]] = fields.JSONField(default=list)  # posts, reports or members
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "insight_alert"
        unique_together = (("group", "metric", "day"),)


class Expert(Model):
    """A member staff recognised as an expert of one community: shown next to their name on its pages."""

    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="experts", on_delete=fields.CASCADE
    )
    actor = fields.CharField(max_length=1024)
    granted_by = fields.CharField(max_length=1024)  # the staff member's actor
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "insight_expert"
        unique_together = (("group", "actor"),)
