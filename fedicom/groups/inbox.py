"""What a community does with each stored inbound activity (the `handle_activity` hook)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fedicom.activitypub.actors import parse_actor
from fedicom.activitypub.vocab import ACTOR_TYPES, POST_TYPES, host_of, id_of
from fedicom.errors import Forbidden
from fedicom.groups import membership, posts, votes
from fedicom.groups.context import Groups
from fedicom.groups.models import Group, Membership, Vote
from fedicom.moderation import bans, community_updates, gate, media, moderators, removals, reports, threads

log = logging.getLogger("fedicom.groups")


@dataclass
class GroupInbox:
    """Dispatches activities by type; anything a community has no use for is ignored."""

    ctx: Groups

    async def __call__(self, activity: dict[str, Any], recipient: str | None) -> None:
        kind = activity.get("type")
        if kind == "Follow":
            await self.follow(activity)
        elif kind == "Undo":
            await self.undo(activity)
        elif kind == "Create":
            if not await self.ctx.events.create_claimed.take(activity):
                await posts.handle_create(self.ctx, activity)
            await media.drop_rejected_media(self.ctx.defed, activity)
        elif kind == "Update":
            await self.update(activity)
            await media.drop_rejected_media(self.ctx.defed, activity)
        elif kind == "Delete" and activity.get("summary"):
            await removals.handle_remove(self.ctx, activity)  # a moderator's removal (Lemmy's shape)
        elif kind == "Delete":
            await posts.handle_delete(self.ctx, activity)
        elif kind == "Lock":
            await threads.handle_lock(self.ctx, activity, locked=True)
        elif kind in ("Add", "Remove") and (id_of(activity.get("target")) or "").endswith("/featured"):
            await threads.handle_featured(self.ctx, activity, pinned=kind == "Add")
        elif kind in ("Add", "Remove") and (id_of(activity.get("target")) or "").endswith("/moderators"):
            await moderators.handle_moderator_change(self.ctx, activity)
        elif kind in votes.VALUES:
            await votes.handle_vote(self.ctx, activity)
        elif kind == "Block":
            await bans.handle_block(self.ctx, activity)
        elif kind == "Flag":
            await reports.handle_flag(self.ctx, activity)
        elif kind == "Resolve":
            await reports.handle_resolve(self.ctx, activity)
        else:
            log.debug("ignored %s %s", kind, activity.get("id"))

    async def _group(self, uri: str | None) -> Group | None:
        name = self.ctx.site.name_from_uri(uri or "")
        return await Group.get_or_none(name=name) if name and not (uri or "").endswith("/followers") else None

    async def follow(self, activity: dict[str, Any]) -> None:
        group = await self._group(id_of(activity.get("object")))
        if group is None:
            return
        actor = id_of(activity.get("actor")) or ""
        refused = await gate.refusal(self.ctx.defed, group, actor)
        limited = await self.ctx.defed.limits(host_of(actor), group.id)
        await membership.handle_follow(
            self.ctx, group, activity, banned=refused is not None, needs_approval=limited
        )

    async def update(self, activity: dict[str, Any]) -> None:
        obj = activity.get("object")
        is_group = isinstance(obj, dict) and obj.get("type") == "Group"
        community = await self._group(id_of(obj)) if is_group else None
        if community is not None:
            await community_updates.handle_update(self.ctx, activity, community)  # by a moderator
        elif isinstance(obj, dict) and obj.get("type") in ACTOR_TYPES:
            if id_of(obj) != id_of(activity.get("actor")):
                raise Forbidden("an actor may only update itself")
            fields = parse_actor(obj)
            await self.ctx.fed.actors.store(fields)
            await Membership.filter(actor=fields["uri"]).update(
                inbox=fields["shared_inbox"] or fields["inbox"]
            )
        elif isinstance(obj, dict) and obj.get("type") in POST_TYPES:
            await posts.handle_update(self.ctx, activity)

    async def undo(self, activity: dict[str, Any]) -> None:
        actor = id_of(activity.get("actor"))
        inner = activity.get("object")
        inner_id = id_of(inner)
        inner_type = inner.get("type") if isinstance(inner, dict) else None
        if inner_type == "Block" or (inner_type is None and await bans.is_ban_activity(inner_id)):
            await bans.handle_undo_block(self.ctx, activity)  # any moderator may lift a ban
            return
        if inner_type == "Delete" and isinstance(inner, dict) and inner.get("summary"):
            await removals.handle_restore(self.ctx, activity)  # any moderator may take a removal back
            return
        if inner_type == "Lock":
            await threads.handle_lock(self.ctx, activity, locked=False)
            return
        if isinstance(inner, dict) and id_of(inner.get("actor")) not in (None, actor):
            raise Forbidden("an actor may only undo its own activities")
        if inner_type == "Follow" or (inner_type is None and await Membership.exists(follow_id=inner_id)):
            target = id_of(inner.get("object")) if isinstance(inner, dict) else None
            groups = (
                [g for g in [await self._group(target)] if g]
                if target
                else [
                    m.group
                    for m in await Membership.filter(follow_id=inner_id, actor=actor).prefetch_related(
                        "group"
                    )
                ]
            )
            for group in groups:
                await membership.handle_unfollow(self.ctx, group, actor or "")
        elif inner_type in votes.VALUES or (inner_type is None and await Vote.exists(activity_id=inner_id)):
            await votes.handle_undo_vote(self.ctx, activity, inner_id)
