"""Bans: an actor shut out of one community or of the whole instance, federated as Lemmy does.

A ban ends the actor's membership; the gate (moderation/gate.py) then refuses their follows, posts
and votes until it expires or is lifted. With `remove_data` their posts and comments in scope are
removed too, by a clean-up job queued with the ban (cleanup.py): Lemmy-family members get each
removal as the group's Announce{Delete}, Mastodon followers the Undo of the group's boost. Remote
moderators of a community may ban in it with a `Block` of their own, which is applied here and
announced onwards.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fedicom.activitypub.fetch import actor_link
from fedicom.activitypub.models import OutgoingActivity
from fedicom.activitypub.vocab import id_of, new_activity_uri
from fedicom.errors import BadRequest, FetchError, Forbidden, Gone, NotFound
from fedicom.groups.announce import announce
from fedicom.groups.communities import get_community
from fedicom.groups.context import Groups
from fedicom.groups.membership import end
from fedicom.groups.models import Group, Membership, MembershipState
from fedicom.moderation import authority, cleanup, modlog
from fedicom.moderation.ban_wire import BanOrder, build_block, parse_block
from fedicom.moderation.content_wire import build_undo
from fedicom.moderation.expiry import wire_time
from fedicom.moderation.models import Ban, ModlogAction
from fedicom.staff.models import Staff


async def resolve_actor(ctx: Groups, value: str) -> str:
    """The actor URI for an actor URI or a `@user@host` handle (looked up with WebFinger)."""
    text = value.strip()
    try:
        if text.startswith(("http://", "https://")):
            uri = text
        else:
            uri = actor_link(await ctx.fed.fetcher.webfinger(text)) or ""
            if not uri:
                raise NotFound(f"{text} names no ActivityPub actor")
        if uri.startswith(ctx.site.base_url + "/"):
            raise BadRequest("accounts of this server cannot be banned: disable a staff account instead")
        return (await ctx.fed.actors.get(uri)).uri
    except Gone:
        raise NotFound(f"there is no account {text}") from None
    except FetchError as exc:
        raise BadRequest(f"{text} could not be looked up: {exc.reason}") from None


async def _scope(ctx: Groups, community: str | None, moderator: str) -> Group | None:
    """The community a staff member bans in (they must moderate it), or None for the instance (admins)."""
    if community is None:
        await authority.require_admin(ctx.site, moderator)
        return None
    group = await ctx.group(community)
    await authority.require_moderator(ctx.site, group, moderator)
    return group


async def ban(
    ctx: Groups,
    staff: Staff,
    actor: str,
    *,
    community: str | None = None,
    reason: str,
    expires: datetime | None = None,
    remove_data: bool = False,
) -> Ban:
    """A local moderator bans `actor` (URI or handle): the Block is sent to the banned actor's server
    and announced by the group to its members (instance-wide: to every server with members here)."""
    moderator = ctx.site.staff_uri(staff.username)
    if not reason.strip():
        raise BadRequest("a ban needs a reason (it is shown in the public modlog and sent with the Block)")
    if expires is not None and expires <= datetime.now(UTC):
        raise BadRequest("the expiry is in the past")
    group = await _scope(ctx, community, moderator)
    banned = await resolve_actor(ctx, actor)
    block = build_block(
        activity_uri=new_activity_uri(ctx.fed.base_url),
        moderator=moderator,
        banned=banned,
        target=ctx.uri(group) if group else ctx.fed.instance_actor_uri,
        community=ctx.uri(group) if group else None,
        reason=reason.strip(),
        remove_data=remove_data,
        expires=expires,
    )
    order = parse_block(block)
    assert order is not None
    await ctx.fed.keys.ensure(moderator)
    inboxes = [(await ctx.fed.actors.get(banned)).delivery_inbox]
    if group is None:
        inboxes += await _every_member_inbox()
    return await _apply(ctx, group, order, block, direct=inboxes)


async def unban(ctx: Groups, staff: Staff, actor: str, *, community: str | None = None) -> Ban:
    """Lift a ban with Undo{Block}, sent where the Block went."""
    moderator = ctx.site.staff_uri(staff.username)
    group = await _scope(ctx, community, moderator)
    banned = actor.strip() if actor.strip().startswith("http") else await resolve_actor(ctx, actor)
    existing = await Ban.get_or_none(community_id=group.id if group else None, actor=banned)
    if existing is None:
        where = group.name if group else "this instance"
        raise NotFound(f"{banned} is not banned from {where}")
    block = await _block_of(ctx, existing, group)
    undo = build_undo(activity_uri=new_activity_uri(ctx.fed.base_url), actor=moderator, undone=block)
    try:
        inboxes = [(await ctx.fed.actors.get(banned)).delivery_inbox]
    except FetchError:
        inboxes = []  # its server is gone: the community's members are told all the same
    if group is None:
        inboxes += await _every_member_inbox()
    await _lift(ctx, group, existing, undo, moderator=moderator, direct=inboxes)
    return existing


async def list_bans(community: str | None = None, *, everywhere: bool = False) -> list[Ban]:
    """Bans of one community, or the instance-wide ones (all of them with `everywhere`), newest first."""
    query = Ban.all()
    if not everywhere:
        query = Ban.filter(community_id=(await get_community(community)).id if community else None)
    return await query.prefetch_related("community").order_by("-id")


def is_active(item: Ban, now: datetime | None = None) -> bool:
    return item.expires_at is None or item.expires_at > (now or datetime.now(UTC))


# --- received from remote moderators -----------------------------------------------------------------


async def handle_block(ctx: Groups, activity: dict[str, Any]) -> Ban | None:
    """A remote moderator's ban in one of our communities: applied, then announced as received."""
    order = parse_block(activity)
    if order is None:
        return None  # someone blocked the group for themselves: nothing to moderate
    group = await _target_group(ctx, order.target)
    await authority.require_moderator(ctx.site, group, order.moderator)
    if order.banned.startswith(ctx.site.base_url + "/"):
        raise Forbidden("accounts of this server cannot be banned from another server")
    return await _apply(ctx, group, order, activity, direct=[], as_received=True)


async def handle_undo_block(ctx: Groups, activity: dict[str, Any]) -> bool:
    """A remote moderator lifts a ban in one of our communities; the Undo is announced as received."""
    inner = activity.get("object")
    moderator = id_of(activity.get("actor")) or ""
    group: Group | None
    if isinstance(inner, dict):
        order = parse_block(inner)
        if order is None:
            return False
        group = await _target_group(ctx, order.target)
        existing = await Ban.get_or_none(community_id=group.id, actor=order.banned)
    else:
        query = Ban.filter(activity_id=id_of(inner), community_id__not_isnull=True)
        existing = await query.prefetch_related("community").first()
        group = existing.community if existing else None
    if group is None:
        return False
    await authority.require_moderator(ctx.site, group, moderator)
    if existing is None:
        return False
    await _lift(ctx, group, existing, activity, moderator=moderator, direct=[], as_received=True)
    return True


async def is_ban_activity(activity_id: str | None) -> bool:
    """Whether an id-only Undo names the Block of a ban in force here."""
    return bool(activity_id) and await Ban.exists(activity_id=activity_id)


async def _target_group(ctx: Groups, target: str) -> Group:
    name = ctx.site.name_from_uri(target)
    if not name or target.endswith("/followers"):
        raise Forbidden("the ban's target is not a community of this server")
    return await ctx.group(name)


# --- applying and lifting --------------------------------------------------------------------------


async def _apply(
    ctx: Groups,
    group: Group | None,
    order: BanOrder,
    block: dict[str, Any],
    *,
    direct: list[str],
    as_received: bool = False,
) -> Ban:
    scope = {"community_id": group.id if group else None, "actor": order.banned}
    values = {
        "reason": order.reason,
        "remove_data": order.remove_data,
        "expires_at": order.expires,
        "moderator": order.moderator,
        "activity_id": block["id"],
    }
    if group:
        await ctx.rosters.of(group)  # the Announce goes to the members as they are now, the banned one too
    async with ctx.fed.transaction() as conn:
        existing = await Ban.filter(**scope).using_db(conn).first()
        if existing is None:
            item = await Ban.create(**scope, **values, using_db=conn)
        else:
            await Ban.filter(id=existing.id).using_db(conn).update(**values)
            item = await Ban.filter(id=existing.id).using_db(conn).get()
        members = Membership.filter(actor=order.banned)
        if group:
            members = members.filter(group_id=group.id)
        ending = await members.using_db(conn).prefetch_related("group")
        await end(ctx, ending, conn)  # listeners hear of each member who left
        left = len(ending)
        if order.remove_data:
            await cleanup.queue_ban(
                ctx,
                block_id=str(block["id"]),
                actor=order.banned,
                group=group,
                moderator=order.moderator,
                reason=order.reason,
                ours=not as_received,
                conn=conn,
            )
        if group:
            await announce(ctx, group, block, conn=conn)
        if direct:
            public = group is None or not group.private
            await ctx.fed.send(block, actor=order.moderator, inboxes=direct, public=public, conn=conn)
        details: dict[str, Any] = {"remove_data": order.remove_data}
        if order.expires:
            details["expires"] = wire_time(order.expires)
        if left:
            details["membership_ended"] = True
        if as_received:
            details["received"] = True
        await modlog.record(
            order.moderator,
            ModlogAction.BAN,
            order.banned,
            reason=order.reason,
            community=group.name if group else None,
            details=details,
            conn=conn,
        )
    ctx.rosters.forget(group.id if group else None)
    ctx.hooks.forget()
    return item


async def _lift(
    ctx: Groups,
    group: Group | None,
    item: Ban,
    undo: dict[str, Any],
    *,
    moderator: str,
    direct: list[str],
    as_received: bool = False,
) -> None:
    async with ctx.fed.transaction() as conn:
        await Ban.filter(id=item.id).using_db(conn).delete()
        if group:
            await announce(ctx, group, undo, conn=conn)
        if direct:
            public = group is None or not group.private
            await ctx.fed.send(undo, actor=moderator, inboxes=direct, public=public, conn=conn)
        await modlog.record(
            moderator,
            ModlogAction.UNBAN,
            item.actor,
            community=group.name if group else None,
            details={"received": True} if as_received else {},
            conn=conn,
        )
    ctx.hooks.forget()


async def _block_of(ctx: Groups, item: Ban, group: Group | None) -> dict[str, Any]:
    """The Block that federated a ban (as published, when it was ours), to embed in its Undo."""
    if item.activity_id:
        sent = await OutgoingActivity.get_or_none(activity_id=item.activity_id)
        if sent is not None:
            return json.loads(sent.payload)  # type: ignore[no-any-return]
    return build_block(
        activity_uri=item.activity_id or new_activity_uri(ctx.fed.base_url),
        moderator=item.moderator,
        banned=item.actor,
        target=ctx.uri(group) if group else ctx.fed.instance_actor_uri,
        community=ctx.uri(group) if group else None,
        reason=item.reason,
        remove_data=item.remove_data,
        expires=item.expires_at,
    )


async def _every_member_inbox() -> list[str]:
    """Every server with members here: where an instance-wide ban must be known."""
    rows = await Membership.filter(state=MembershipState.ACCEPTED).distinct().values_list("inbox", flat=True)
    return sorted(set(rows))  # type: ignore[arg-type]
