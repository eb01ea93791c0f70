"""Storage of what staff publish beyond posts: votes on their polls, and posts scheduled for later."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from fedicom.groups.models import Group, Post


class PollVote(Model):
    """One voter's choice of one option of a poll (a single-choice poll keeps one row per voter)."""

    id = fields.BigIntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "fedicom.Post", related_name="poll_votes", on_delete=fields.CASCADE
    )
    voter = fields.CharField(max_length=1024)
    choice = fields.CharField(max_length=200)
    # what makes a vote unique: the choice in a multiple-choice poll, "*" (one per voter) otherwise,
    # so that the database refuses a second vote even when two arrive at the same moment
    slot = fields.CharField(max_length=200)
    activity_id = fields.CharField(max_length=1024, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "poll_vote"
        unique_together = (("post", "voter", "slot"),)


class ScheduleState(StrEnum):
    SCHEDULED = "scheduled"  # waiting for its next time
    DONE = "done"  # published (a one-off post)
    CANCELLED = "cancelled"
    FAILED = "failed"  # publishing was refused: `last_error` says why


class ScheduledPost(Model):
    """A post written now and published later, once or again and again by a repeat rule.

    Its images are stored when it is written, so publishing needs nothing but this row.
    """

    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyRelation[Group] = fields.ForeignKeyField(
        "fedicom.Group", related_name="scheduled_posts", on_delete=fields.CASCADE
    )
    author = fields.CharField(max_length=1024)  # the staff member's Person actor
    draft: dict[str, Any] = fields.JSONField()
    run_at = fields.DatetimeField()  # the next publication
    every = fields.CharField(max_length=100, null=True)  # the repeat rule, as typed
    timezone = fields.CharField(max_length=64, default="UTC")  # where the rule's clock hangs
    state = fields.CharField(max_length=12, default=ScheduleState.SCHEDULED.value)  # a ScheduleState
    published = fields.IntField(default=0)  # how many times it came out
    last_post_id = fields.BigIntField(null=True)
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "scheduled_post"
        indexes = (("state", "run_at"),)
