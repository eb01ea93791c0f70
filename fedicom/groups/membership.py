"""Joining and leaving: Follow → Accept (open) or a pending request (private) → Accept/Reject."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub.jsonld import ACTIVITY_CONTEXT
from fedicom.activitypub.vocab import id_of, new_activity_uri
from fedicom.errors import BadRequest, NotFound
from fedicom.groups.announce import backfill
from fedicom.groups.context import Groups
from fedicom.groups.events import MemberChange
from fedicom.groups.models import Group, Membership, MembershipState


def build_follow_response(
    kind: str, group_uri: str, follow: dict[str, Any], activity_uri: str
) -> dict[str, Any]:
    """Accept or Reject embedding the Follow as received (Lemmy checks actor and to[0] against it)."""
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": kind,
        "actor": group_uri,
        "to": [id_of(follow.get("actor"))],
        "object": follow,
    }


async def handle_follow(
    ctx: Groups, group: Group, follow: dict[str, Any], *, banned: bool = False, needs_approval: bool = False
) -> Membership | None:
    """Record a Follow; open groups accept at once, private ones keep it pending for a moderator.

    `needs_approval` keeps it pending in an open group too (the follower's server is limited).
    """
    fed = ctx.fed
    actor_uri = id_of(follow.get("actor"))
    if not actor_uri:
        raise BadRequest("the Follow has no actor")
    actor = await fed.actors.get(actor_uri)
    if banned:
        await _respond(ctx, group, "Reject", follow, actor.inbox, None)
        return None
    existing = await Membership.get_or_none(group=group, actor=actor_uri)
    welcome = not group.private and not needs_approval
    state = (
        MembershipState.ACCEPTED
        if welcome or (existing and existing.state == MembershipState.ACCEPTED)
        else MembershipState.PENDING
    )
    existing_state = existing.state if existing else None
    asked_before = existing_state == MembershipState.PENDING  # a repeated Follow: told once
    async with fed.transaction() as conn:
        # a private community's request is let in at once when the follower holds an invite's pass;
        # one from a limited server still waits (a moderation decision no invite overrides)
        if state == MembershipState.PENDING and not needs_approval:
            if await ctx.passes.let_in(group, actor_uri, conn):
                state = MembershipState.ACCEPTED
        if existing:
            existing.follow_id = str(follow["id"])
            existing.follow_activity = json.dumps(follow)
            existing.inbox = actor.delivery_inbox
            existing.state = state
            await existing.save(using_db=conn)
            membership = existing
        else:
            membership = await Membership.create(
                group=group,
                actor=actor_uri,
                inbox=actor.delivery_inbox,
                state=state,
                follow_id=str(follow["id"]),
                follow_activity=json.dumps(follow),
                using_db=conn,
            )
        if state == MembershipState.ACCEPTED:
            await _accept(ctx, group, membership, conn)
            if existing is None or existing_state != MembershipState.ACCEPTED:
                await ctx.events.member_joined.send(MemberChange(group, actor_uri, _now()), conn)
        elif not asked_before:
            membership.group = group
            await ctx.events.join_requested.send(membership, conn)
    ctx.rosters.forget(group.id)
    return membership


async def _respond(
    ctx: Groups, group: Group, kind: str, follow: dict[str, Any], inbox: str, conn: BaseDBAsyncClient | None
) -> dict[str, Any]:
    response = build_follow_response(kind, ctx.uri(group), follow, new_activity_uri(ctx.fed.base_url))
    await ctx.fed.send(response, actor=ctx.uri(group), inboxes=[inbox], public=False, conn=conn)
    return response


async def _accept(ctx: Groups, group: Group, membership: Membership, conn: BaseDBAsyncClient) -> None:
    """Accept, then the backfill, to the same (shared) inbox so the order guard keeps Accept first."""
    follow = json.loads(membership.follow_activity)
    accept = await _respond(ctx, group, "Accept", follow, membership.inbox, conn)
    await backfill(ctx, group, membership.inbox, accept, conn=conn)


async def approve(ctx: Groups, group: Group, actor_uri: str) -> Membership:
    """A moderator lets a pending member in: Accept{Follow}, then the recent posts."""
    membership = await Membership.get_or_none(group=group, actor=actor_uri)
    if membership is None:
        raise NotFound(f"{actor_uri} has not asked to join {group.name}")
    joins = membership.state != MembershipState.ACCEPTED
    async with ctx.fed.transaction() as conn:
        membership.state = MembershipState.ACCEPTED
        await membership.save(using_db=conn)
        await _accept(ctx, group, membership, conn)
        if joins:
            await ctx.events.member_joined.send(MemberChange(group, actor_uri, _now()), conn)
    ctx.rosters.forget(group.id)
    return membership


async def reject(ctx: Groups, group: Group, actor_uri: str) -> None:
    """A moderator turns a request down (or removes a member): Reject{Follow}, membership ended."""
    membership = await Membership.get_or_none(group=group, actor=actor_uri)
    if membership is None:
        raise NotFound(f"{actor_uri} is not a member of {group.name} and has not asked to join")
    actor = await ctx.fed.actors.get(actor_uri)
    async with ctx.fed.transaction() as conn:
        membership.group = group
        await end(ctx, [membership], conn)
        await _respond(ctx, group, "Reject", json.loads(membership.follow_activity), actor.inbox, conn)
    ctx.rosters.forget(group.id)


async def end_membership(ctx: Groups, group: Group, membership: Membership, conn: BaseDBAsyncClient) -> None:
    """Remove a member in the caller's transaction (a clean-up batch): Reject{Follow} to the inbox
    they are delivered at, so their server knows the membership ended."""
    membership.group = group
    await end(ctx, [membership], conn)
    await _respond(ctx, group, "Reject", json.loads(membership.follow_activity), membership.inbox, conn)


async def handle_unfollow(ctx: Groups, group: Group, actor_uri: str) -> bool:
    """Undo{Follow}: membership ends (and a pending request is withdrawn)."""
    async with ctx.fed.transaction() as conn:
        ended = await Membership.filter(group=group, actor=actor_uri).using_db(conn)
        for membership in ended:
            membership.group = group
        await end(ctx, ended, conn)
    ctx.rosters.forget(group.id)
    return bool(ended)


async def end(ctx: Groups, memberships: list[Membership], conn: BaseDBAsyncClient) -> None:
    """Memberships end (left, removed, banned, account gone): every path that ends one comes here, so
    listeners (insights count leaves) hear of each accepted member who left. `group` must be loaded."""
    if not memberships:
        return
    await Membership.filter(id__in=[m.id for m in memberships]).using_db(conn).delete()
    at = _now()
    for membership in memberships:
        if membership.state == MembershipState.ACCEPTED:
            await ctx.events.member_left.send(MemberChange(membership.group, membership.actor, at), conn)


def _now() -> datetime:
    return datetime.now(UTC)


async def pending_requests(group: Group, *, limit: int | None = None) -> list[Membership]:
    """Requests to join, oldest first (the order they should be answered in)."""
    query = Membership.filter(group=group, state=MembershipState.PENDING).order_by("id")
    return await (query.limit(limit) if limit is not None else query)


async def pending_count(group: Group) -> int:
    return await Membership.filter(group=group, state=MembershipState.PENDING).count()


async def pending_request(group: Group, actor_uri: str) -> Membership:
    """`actor_uri`'s request to join, while it waits: a moderator answering a request that another one
    already answered (or that was withdrawn) is told so instead of letting in or removing a member."""
    membership = await Membership.get_or_none(group=group, actor=actor_uri)
    if membership is None:
        raise NotFound(f"there is no request from {actor_uri} to join {group.name}: answered or withdrawn")
    if membership.state != MembershipState.PENDING:
        raise BadRequest(
            f"the request from {actor_uri} was already approved: they are a member of {group.name}"
        )
    return membership


async def recent_members(group: Group, *, offset: int = 0, limit: int = 100) -> list[Membership]:
    """Members, the most recent followers first."""
    query = Membership.filter(group=group, state=MembershipState.ACCEPTED).order_by("-id")
    return await query.offset(offset).limit(limit)
