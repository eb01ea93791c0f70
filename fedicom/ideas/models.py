"""What ideas keep: the log of ideas added, edited or dropped (each process's index reads past it, and
a new or edited idea waits there, `pending`, until its likely duplicates are found), and those
duplicates with their scores, for staff."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from fedicom.groups.models import Group, Post


class ChangeKind(StrEnum):
    STORED = "stored"  # a new idea: its duplicates are found, and its author may be told of them
    EDITED = "edited"  # its text changed: its duplicates are found again
    STATE = "state"  # deleted, removed, restored, approved or rejected: shown or not since


class IdeaChange(Model):
    """An idea (a thread of a community whose threads are ideas) stored, edited or gone.

    Written in the transaction that changed the post, so no change is ever missed; the row stays as
    the log every process's index catches up from (by `id`), pruned once all have read it."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Group] = fields.ForeignKeyField(
        "fedicom.Group", related_name="idea_changes", on_delete=fields.CASCADE
    )
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "fedicom.Post", related_name="idea_changes", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(ChangeKind, max_length=12)
    pending = fields.BooleanField(default=True)  # its likely duplicates are still to be found
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "idea_change"
        indexes = (("group_id", "id"), ("pending", "id"))


class IdeaMatch(Model):
    """`other`, another idea of the same community, likely says what `post` says (score 0 to 1)."""

    id = fields.BigIntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "fedicom.Post", related_name="idea_matches", on_delete=fields.CASCADE
    )
    other: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "fedicom.Post", related_name="idea_matched_by", on_delete=fields.CASCADE
    )
    score = fields.FloatField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "idea_match"
        unique_together = (("post", "other"),)
