"""Storage of what staff publish beyond posts: votes on their polls, and posts scheduled for later."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from fedicom.groups.models import Post


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
