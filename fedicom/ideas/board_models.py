"""Storage of the idea board: each idea's current status (no row: open), and the history of changes."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from fedicom.ideas.lifecycle import IdeaStatus


class IdeaState(Model):
    """An idea's current status, the note staff gave with it, and the original it was merged into."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="idea_states", on_delete=fields.CASCADE
    )
    post: fields.OneToOneRelation[Any] = fields.OneToOneField(
        "fedicom.Post", related_name="idea_state", on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(IdeaStatus, max_length=16, default=IdeaStatus.OPEN)
    note = fields.TextField(default="")
    merged_into: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "fedicom.Post", related_name="merged_here", null=True, on_delete=fields.SET_NULL
    )
    changed_by = fields.CharField(max_length=1024)  # the staff member's actor URI
    changed_at = fields.DatetimeField()

    class Meta:
        table = "idea_state"
        indexes = (("group_id", "status"),)


class IdeaStatusChange(Model):
    """One change of an idea's status, shown on its page: who, when, why, and the reply that told members."""

    id = fields.BigIntField(primary_key=True)
    post: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Post", related_name="idea_status_changes", on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(IdeaStatus, max_length=16)
    previous = fields.CharEnumField(IdeaStatus, max_length=16)
    note = fields.TextField(default="")
    actor = fields.CharField(max_length=1024)
    reply: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "fedicom.Post", related_name="idea_replies", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "idea_status_change"
        indexes = (("post_id", "id"),)
