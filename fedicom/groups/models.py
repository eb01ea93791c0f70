"""Storage of communities: the group itself, its members, its posts and their votes."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from fedicom.groups.kinds import CommunityKind


class Group(Model):
    """A community, federated as an ActivityPub Group actor."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    title = fields.CharField(max_length=200)
    summary = fields.TextField(default="")
    rules = fields.TextField(default="")
    privacy_policy = fields.TextField(default="")
    private = fields.BooleanField(default=False)
    posting_policy = fields.CharField(max_length=12, default="members")
    sensitive = fields.BooleanField(default=False)
    discoverable = fields.BooleanField(default=True)
    icon_url = fields.CharField(max_length=1024, null=True)
    image_url = fields.CharField(max_length=1024, null=True)
    accent = fields.CharField(max_length=7, null=True)  # #rrggbb on its pages, None for the site's
    # automatic moderation: "off", "new_members" (until their first approved post) or "all"
    premoderation = fields.CharField(max_length=12, default="off")
    max_links = fields.IntField(null=True)
    # the clock its scheduled posts follow ("every Friday at 10:00"), an IANA zone name
    timezone = fields.CharField(
        max_length=64, default="UTC"
    )  # links allowed per post, None for the instance default
    # the Group tells an author why their post was refused or held (fedicom/refusals/), once a day
    notify_refusals = fields.BooleanField(default=True)
    # the public leaderboard page `/c/NAME/leaderboard` (fedicom/recognition/); never for a private one
    leaderboard = fields.BooleanField(default=True, db_default=True)  # old rows: on
    # how its pages present threads (groups/kinds.py); never federated
    kind = fields.CharEnumField(
        CommunityKind, max_length=12, default=CommunityKind.DISCUSSION, db_default="discussion"
    )
    # a niche community's parent (groups/family.py): pages show the family, the directory groups it
    parent: fields.ForeignKeyNullableRelation[Group] = fields.ForeignKeyField(
        "fedicom.Group", related_name="children", null=True, on_delete=fields.SET_NULL
    )
    # its page shows the best threads of the week of its public children (groups/featured.py)
    feature_children = fields.BooleanField(default=False, db_default=False)
    # a new idea with likely duplicates gets the Group's reply linking to them (fedicom/ideas/)
    reply_similar = fields.BooleanField(default=False, db_default=False)
    # the community's new home when it moved to another server (groups/moving.py): its actor says
    # `movedTo`, its pages and WebFinger point there, and it re-announces the new home's posts to
    # the followers it still has until the grace period after `moved_at` ends
    moved_to = fields.CharField(max_length=1024, null=True)
    moved_at = fields.DatetimeField(null=True)
    # the id of the Follow the community sent its new home, to receive what to re-announce (and undo)
    move_follow_id = fields.CharField(max_length=1024, null=True)
    # the Group actor this community was imported from (fedicom/portability/), None if born here
    origin_uri = fields.CharField(max_length=1024, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "community"


class MembershipState(StrEnum):
    PENDING = "pending"  # a follow of a private community (or from a limited server), awaiting approval
    ACCEPTED = "accepted"


class PostState(StrEnum):
    VISIBLE = "visible"
    HELD = "held"  # waiting for a moderator
    REMOVED = "removed"  # by a moderator, restorable


class Membership(Model):
    """A remote actor following a group: pending until approved in a private group."""

    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyRelation[Group] = fields.ForeignKeyField(
        "fedicom.Group", related_name="memberships", on_delete=fields.CASCADE
    )
    actor = fields.CharField(max_length=1024)
    inbox = fields.CharField(max_length=1024)
    state = fields.CharEnumField(MembershipState, max_length=12, default=MembershipState.PENDING)
    follow_id = fields.CharField(max_length=1024)
    follow_activity = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "membership"
        unique_together = (("group", "actor"),)
        indexes = (("group_id", "state"),)


class Post(Model):
    """A thread (top-level post) or a reply in a group, as its author published it."""

    id = fields.BigIntField(primary_key=True)
    group: fields.ForeignKeyRelation[Group] = fields.ForeignKeyField(
        "fedicom.Group", related_name="posts", on_delete=fields.CASCADE
    )
    object_id = fields.CharField(max_length=1024, db_index=True)  # inbound activities look posts up by it
    type = fields.CharField(max_length=32)
    author = fields.CharField(max_length=1024, db_index=True)
    parent: fields.ForeignKeyNullableRelation[Post] = fields.ForeignKeyField(
        "fedicom.Post", related_name="children", null=True, on_delete=fields.SET_NULL
    )
    root: fields.ForeignKeyNullableRelation[Post] = fields.ForeignKeyField(
        "fedicom.Post", related_name="thread_items", null=True, on_delete=fields.SET_NULL
    )
    title: str | None = fields.TextField(null=True)
    content = fields.TextField(default="")
    url = fields.CharField(max_length=1024, null=True)
    document: dict[str, Any] = fields.JSONField()
    published = fields.DatetimeField()
    updated = fields.DatetimeField(null=True)
    deleted = fields.BooleanField(default=False)
    upvotes = fields.IntField(default=0)
    downvotes = fields.IntField(default=0)
    reply_count = fields.IntField(default=0)
    announce_id = fields.CharField(max_length=1024, null=True)
    state = fields.CharEnumField(PostState, max_length=12, default=PostState.VISIBLE)
    state_reason = fields.TextField(default="")
    # the Create as received, kept while the post is held so that approval announces it unchanged
    activity: dict[str, Any] | None = fields.JSONField(null=True)
    locked = fields.BooleanField(default=False)
    pinned_at = fields.DatetimeField(null=True)
    # the post's id on the instance it was imported from (fedicom/portability/), None if stored here
    origin_uri = fields.CharField(max_length=1024, null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "post"
        unique_together = (("group", "object_id"),)
        # a thread's replies and a post's answers, in order: the page, replies, context and backfill
        indexes = (
            ("group_id", "deleted", "id"),
            ("group_id", "state", "id"),
            ("root_id", "id"),
            ("parent_id", "id"),
        )

    @property
    def score(self) -> int:
        return self.upvotes - self.downvotes

    @property
    def is_thread(self) -> bool:
        return self.parent_id is None  # type: ignore[attr-defined]


class Vote(Model):
    """One actor's Like (+1) or Dislike (-1) of one post, a new vote replacing the old."""

    id = fields.BigIntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "fedicom.Post", related_name="votes", on_delete=fields.CASCADE
    )
    actor = fields.CharField(max_length=1024)
    value = fields.SmallIntField()
    activity_id = fields.CharField(max_length=1024, db_index=True)
    # when first cast (a changed vote keeps it); None for votes stored before fedicom recorded it
    created_at = fields.DatetimeField(auto_now_add=True, null=True)

    class Meta:
        table = "vote"
        unique_together = (("post", "actor"),)


class ModeratorRole(StrEnum):
    OWNER = "owner"  # may also add and remove moderators, and edit the community
    MODERATOR = "moderator"


class Moderator(Model):
    """A moderator of a group: a local staff actor or a remote fediverse actor (Lemmy's model)."""

    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyRelation[Group] = fields.ForeignKeyField(
        "fedicom.Group", related_name="moderators", on_delete=fields.CASCADE
    )
    actor = fields.CharField(max_length=1024)
    role = fields.CharEnumField(ModeratorRole, max_length=12, default=ModeratorRole.MODERATOR)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "moderator"
        unique_together = (("group", "actor"),)


class Alias(Model):
    """Another account the community is also known as (`alsoKnownAs`): an account whose followers may
    move here (Mastodon's "move followers" checks it), or the community's earlier home."""

    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyRelation[Group] = fields.ForeignKeyField(
        "fedicom.Group", related_name="aliases", on_delete=fields.CASCADE
    )
    actor = fields.CharField(max_length=1024)
    added_at = fields.DatetimeField(auto_now_add=True)
    # when a Move from this account to the community arrived (its followers' servers then follow here)
    moved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "community_alias"
        unique_together = (("group", "actor"),)
