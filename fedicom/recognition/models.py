"""Storage of recognition: what each member's contributions earned (one credit per vote, reply, accepted
answer or completed idea) and the members who asked to be left out of it."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class CreditKind(StrEnum):
    VOTE = "vote"  # a vote received (value +1 or -1)
    REPLY = "reply"  # a reply to the author's thread (value 1; distinct repliers count)
    ANSWER = "answer"  # the author's reply was accepted as the answer
    IDEA = "idea"  # the author's idea was completed


class Credit(Model):
    """One thing another member did with a contribution: it counts while both `post` (the contribution
    credited) and `source` (the reply that earned it; the post itself otherwise) are shown."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="credits", on_delete=fields.CASCADE
    )
    post: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Post", related_name="credits", on_delete=fields.CASCADE
    )
    source: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Post", related_name="credits_given", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(CreditKind, max_length=8)
    giver = fields.CharField(max_length=1024)  # the voter or replier; empty for answers and ideas
    value = fields.SmallIntField(default=1)
    at = fields.DatetimeField()  # when it was earned: the vote first cast, the reply stored, the acceptance

    class Meta:
        table = "recognition_credit"
        unique_together = (("post", "kind", "giver", "source"),)
        indexes = (("group_id", "kind"),)


class LeftOut(Model):
    """A member who asked to be left out of a community's recognition: shown nowhere, still counted."""

    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "fedicom.Group", related_name="left_out", on_delete=fields.CASCADE
    )
    actor = fields.CharField(max_length=1024)
    recorded_by = fields.CharField(max_length=1024)  # the staff member who recorded the request
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "recognition_left_out"
        unique_together = (("group", "actor"),)
