"""What a community does with each stored inbound activity (the `handle_activity` hook)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from fedicom.activitypub.actors import parse_actor
from fedicom.activitypub.vocab import ACTOR_TYPES, POST_TYPES, id_of
from fedicom.errors import Forbidden
from fedicom.groups import membership, moving, posts, votes
from fedicom.groups.context import Groups
from fedicom.groups.models import Group, Membership, Vote

log = logging.getLogger("fedicom.groups")
Handle = Callable[[dict[str, Any]], Awaitable[object]]


@dataclass
class GroupInbox:
    """Dispatches activities by type: first to the handlers other areas registered (`Groups.inbound`:
    a moderator's removal, ban, lock, report...), then to the community's own; anything a community
    has no use for is ignored."""

    ctx: Groups
    own: dict[str, Handle] = field(init=False)
    updates: dict[str, Handle] = field(init=False)  # Update, by the type of its object

    def __post_init__(self) -> None:
        self.own = {
            "Follow": self.follow,
            "Undo": self.undo,
            "Create": self.create,
            "Update": self.update,
            "Delete": self.delete,
            "Move": self.move,
            "Announce": self.announce,
            **dict.fromkeys(votes.VALUES, self.vote),
        }
        self.updates = {
            **dict.fromkeys(ACTOR_TYPES, self.update_actor),
            **dict.fromkeys(POST_TYPES, partial(posts.handle_update, self.ctx)),
        }

    async def __call__(self, activity: dict[str, Any], recipient: str | None) -> None:
        if await self.ctx.inbound.take(activity):
            return
        kind = activity.get("type")
        handle = self.own.get(kind) if isinstance(kind, str) else None
        if handle is None:
            log.debug("ignored %s %s", kind, activity.get("id"))
            return
        await handle(activity)

    async def create(self, activity: dict[str, Any]) -> None:
        if not await self.ctx.events.create_claimed.take(activity):
            await posts.handle_create(self.ctx, activity)
        await self.ctx.hooks.after_store(activity)

    async def delete(self, activity: dict[str, Any]) -> None:
        await posts.handle_delete(self.ctx, activity)

    async def move(self, activity: dict[str, Any]) -> None:
        await moving.handle_move(self.ctx, activity)

    async def announce(self, activity: dict[str, Any]) -> None:
        """Only from a community one of ours moved to: passed on to its remaining followers."""
        await moving.handle_announce(self.ctx, activity)

    async def vote(self, activity: dict[str, Any]) -> None:
        await votes.handle_vote(self.ctx, activity)

    async def _group(self, uri: str | None) -> Group | None:
        name = self.ctx.site.name_from_uri(uri or "")
        return await Group.get_or_none(name=name) if name and not (uri or "").endswith("/followers") else None

    async def follow(self, activity: dict[str, Any]) -> None:
        group = await self._group(id_of(activity.get("object")))
        if group is None:
            return
        actor = id_of(activity.get("actor")) or ""
        refused = await self.ctx.hooks.barrier(group, actor)
        limited = await self.ctx.hooks.follow_needs_approval(group, actor)
        await membership.handle_follow(
            self.ctx, group, activity, banned=refused is not None, needs_approval=limited
        )

    async def update(self, activity: dict[str, Any]) -> None:
        obj = activity.get("object")
        kind = obj.get("type") if isinstance(obj, dict) else None
        handle = self.updates.get(kind) if isinstance(kind, str) else None
        if handle is not None:
            await handle(activity)
        await self.ctx.hooks.after_store(activity)

    async def update_actor(self, activity: dict[str, Any]) -> None:
        """A remote actor's new profile: stored, and its members' inbox follows a move."""
        obj = activity["object"]
        if id_of(obj) != id_of(activity.get("actor")):
            raise Forbidden("an actor may only update itself")
        fields = parse_actor(obj)
        await self.ctx.fed.actors.store(fields)
        await Membership.filter(actor=fields["uri"]).update(inbox=fields["shared_inbox"] or fields["inbox"])

    async def undo(self, activity: dict[str, Any]) -> None:
        actor = id_of(activity.get("actor"))
        inner = activity.get("object")
        inner_id = id_of(inner)
        inner_type = inner.get("type") if isinstance(inner, dict) else None
        if isinstance(inner, dict) and id_of(inner.get("actor")) not in (None, actor):
            raise Forbidden("an actor may only undo its own activities")
        if inner_type == "Follow" or (inner_type is None and await Membership.exists(follow_id=inner_id)):
            target = id_of(inner.get("object")) if isinstance(inner, dict) else None
            groups = (
                [g for g in [await self._group(target)] if g]
                if target
                else [
                    m.group
                    for m in await Membership.filter(follow_id=inner_id, actor=actor).select_related("group")
                ]
            )
            for group in groups:
                await membership.handle_unfollow(self.ctx, group, actor or "")
        elif inner_type in votes.VALUES or (inner_type is None and await Vote.exists(activity_id=inner_id)):
            await votes.handle_undo_vote(self.ctx, activity, inner_id)
