"""Storage of accepted answers: one row per answered question, replaced when another reply is accepted."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class AcceptedAnswer(Model):
    """The reply accepted as the answer to a question (a thread in a questions community)."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="accepted_answers", on_delete=fields.CASCADE
    )
    question: fields.OneToOneRelation[Any] = fields.OneToOneField(
        "fedicom.Post", related_name="accepted_answer", on_delete=fields.CASCADE
    )
    answer: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Post", related_name="accepted_for", on_delete=fields.CASCADE
    )
    accepted_by = fields.CharField(max_length=1024)  # the staff member's or the asker's actor URI
    accepted_at = fields.DatetimeField()
    notice = fields.CharField(max_length=1024, default="")  # the staff reply that told members, if any

    class Meta:
        table = "accepted_answer"
        indexes = (("group_id", "accepted_at"),)
