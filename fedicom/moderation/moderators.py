"""Moderators of a community: owners and moderators, local staff or remote actors (Lemmy's model).

Changes federate as Lemmy sends them (federation.md §2.5, fixtures lemmy/activities/community/
add_mod.json, remove_mod.json): `Add`/`Remove{actor: the acting Person, object: the moderator,
target: <group>/moderators}`, announced by the group to its members, and sent to a remote moderator
being added or removed so that their server learns it at once.

Who may change the list, locally or from a remote server: an owner of the community or an instance
admin. Anyone on the list may remove themself (stepping down). The last owner cannot be removed.
Lemmy lets any moderator add moderators; fedicom keeps that power to owners on purpose, so an
inbound Add from a remote moderator who is not an owner is refused (403) and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub.fetch import actor_link
from fedicom.activitypub.jsonld import ACTIVITY_CONTEXT
from fedicom.activitypub.vocab import PUBLIC, host_of, id_of, new_activity_uri
from fedicom.errors import BadRequest, FetchError, Forbidden, NotFound
from fedicom.groups.announce import announce
from fedicom.groups.communities import NAME_RE, get_community
from fedicom.groups.context import Groups
from fedicom.groups.models import Group, Moderator, ModeratorRole
from fedicom.moderation import modlog
from fedicom.moderation.authority import is_admin
from fedicom.moderation.models import ModlogAction
from fedicom.staff.models import Staff


@dataclass(frozen=True)
class Change:
    """One change to a moderator list, as applied."""

    moderator: Moderator
    activity: dict[str, Any] | None  # the Add or Remove federated, None when nothing went out


def build_moderator_change(
    kind: str, *, activity_uri: str, actor: str, moderator: str, group_uri: str
) -> dict[str, Any]:
    """`Add` or `Remove` of a moderator, in the shape of Lemmy's add_mod.json / remove_mod.json."""
    if kind not in ("Add", "Remove"):
        raise ValueError(kind)
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": kind,
        "actor": actor,
        "to": [PUBLIC],
        "object": moderator,
        "target": f"{group_uri}/moderators",
        "cc": [group_uri],
        "audience": group_uri,
    }


async def resolve_moderator(ctx: Groups, who: str) -> str:
    """The actor URI for a local staff name, a remote handle (@user@host, by WebFinger) or a URI."""
    text = who.strip()
    if text.startswith(("https://", "http://")):
        local = ctx.site.staff_from_uri(text)
        if local is not None:
            return await _local_staff(ctx, local)
        return await _remote_actor(ctx, text)
    if "@" in text.lstrip("@"):
        user, _, host = text.removeprefix("acct:").lstrip("@").partition("@")
        if host.lower() in (ctx.site.domain, host_of(ctx.site.base_url)):
            return await _local_staff(ctx, user)
        try:
            uri = actor_link(await ctx.fed.fetcher.webfinger(text))
        except FetchError as exc:
            raise BadRequest(f"{text} could not be looked up: {exc.reason}") from None
        if uri is None:
            raise BadRequest(f"{text}'s server names no ActivityPub actor for it")
        return await _remote_actor(ctx, uri)
    return await _local_staff(ctx, text)


async def _local_staff(ctx: Groups, name: str) -> str:
    username = name.strip().lower()
    if not NAME_RE.match(username) or not await Staff.exists(username=username, disabled=False):
        raise NotFound(f"no active staff account named {name}")
    return ctx.site.staff_uri(username)


async def _remote_actor(ctx: Groups, uri: str) -> str:
    try:
        actor = await ctx.fed.actors.get(uri)
    except FetchError as exc:
        raise BadRequest(f"{uri} is not a reachable fediverse actor: {exc.reason}") from None
    if actor.type == "Group":
        raise BadRequest(f"{uri} is a group, not a person")
    return actor.uri


async def role_of(group: Group, actor: str) -> ModeratorRole | None:
    row = await Moderator.get_or_none(group_id=group.id, actor=actor)
    return row.role if row else None


async def may_manage(ctx: Groups, group: Group, actor: str) -> bool:
    """Owners of the community and instance admins may add and remove its moderators."""
    return await role_of(group, actor) == ModeratorRole.OWNER or await is_admin(ctx.site, actor)


async def list_moderators(group: Group) -> list[Moderator]:
    """Owners first, then by seniority."""
    rows = await Moderator.filter(group_id=group.id).order_by("id")
    return sorted(rows, key=lambda m: m.role != ModeratorRole.OWNER)


async def add_moderator(
    ctx: Groups, group: Group, moderator: str, *, by: str, role: ModeratorRole = ModeratorRole.MODERATOR
) -> Change:
    """Make `moderator` (an actor URI) a moderator or owner; `by` is the acting local staff's actor."""
    if not await may_manage(ctx, group, by):
        raise Forbidden(f"only an owner of {group.name} or an admin may add moderators")
    current = await Moderator.get_or_none(group_id=group.id, actor=moderator)
    if current is not None and current.role == role:
        raise BadRequest(f"{moderator} is already a {role} of {group.name}")
    direct = await _inboxes_of(ctx, moderator)
    async with ctx.fed.transaction() as conn:
        if current is not None:  # a change of role is fedicom's own: nothing to federate
            current.role = role
            await current.save(using_db=conn, update_fields=["role"])
            await modlog.record(
                by,
                ModlogAction.CHANGE_MODERATOR_ROLE,
                moderator,
                community=group.name,
                details={"role": role},
                conn=conn,
            )
            ctx.rosters.forget(group.id)
            return Change(current, None)
        row = await Moderator.create(group=group, actor=moderator, role=role, using_db=conn)
        await modlog.record(
            by, ModlogAction.ADD_MODERATOR, moderator, community=group.name, details={"role": role}, conn=conn
        )
        activity = await _federate(ctx, group, "Add", by, moderator, direct, conn)
    ctx.rosters.forget(group.id)
    return Change(row, activity)


async def remove_moderator(ctx: Groups, group: Group, moderator: str, *, by: str) -> Change:
    """Take `moderator` off the list: by an owner or admin, or by the moderator themself."""
    current = await Moderator.get_or_none(group_id=group.id, actor=moderator)
    if current is None:
        raise NotFound(f"{moderator} does not moderate {group.name}")
    if by != moderator and not await may_manage(ctx, group, by):
        raise Forbidden(f"only an owner of {group.name} or an admin may remove moderators")
    direct = await _inboxes_of(ctx, moderator)
    async with ctx.fed.transaction() as conn:
        await _check_not_last_owner(group, current, conn)
        await Moderator.filter(id=current.id).using_db(conn).delete()
        await modlog.record(by, ModlogAction.REMOVE_MODERATOR, moderator, community=group.name, conn=conn)
        activity = await _federate(ctx, group, "Remove", by, moderator, direct, conn)
    ctx.rosters.forget(group.id)
    return Change(current, activity)


async def _check_not_last_owner(group: Group, row: Moderator, conn: BaseDBAsyncClient) -> None:
    if row.role != ModeratorRole.OWNER:
        return
    owners = await Moderator.filter(group_id=group.id, role=ModeratorRole.OWNER).using_db(conn).count()
    if owners <= 1:
        raise BadRequest(f"{row.actor} is the last owner of {group.name}: add another owner first")


async def _inboxes_of(ctx: Groups, moderator: str) -> list[str]:
    """A remote moderator's inbox, told directly (fetched before any transaction opens)."""
    if ctx.site.staff_from_uri(moderator) is not None:
        return []
    try:
        return [(await ctx.fed.actors.get(moderator)).delivery_inbox]
    except FetchError:
        return []  # unreachable now: the group's Announce still reaches its members


async def _federate(
    ctx: Groups,
    group: Group,
    kind: str,
    by: str,
    moderator: str,
    direct: list[str],
    conn: BaseDBAsyncClient,
) -> dict[str, Any]:
    """Send the change as the acting Person, announced by the group (Lemmy's send_activity_in_community)."""
    activity = build_moderator_change(
        kind,
        activity_uri=new_activity_uri(ctx.fed.base_url),
        actor=by,
        moderator=moderator,
        group_uri=ctx.uri(group),
    )
    await ctx.fed.send(activity, actor=by, inboxes=direct, public=True, conn=conn)
    await announce(ctx, group, activity, conn=conn)
    return activity


# --- inbound: a remote owner's Add/Remove on one of our moderator lists ---------------------------------


def target_community(ctx: Groups, activity: dict[str, Any]) -> str | None:
    """The name of our community whose moderators collection an Add/Remove targets, if any."""
    target = id_of(activity.get("target")) or ""
    if not target.endswith("/moderators"):
        return None
    return ctx.site.name_from_uri(target.removesuffix("/moderators"))


async def handle_moderator_change(ctx: Groups, activity: dict[str, Any]) -> None:
    """Apply a remote actor's Add/Remove when they may make it; then announce it as received."""
    name = target_community(ctx, activity)
    if name is None:
        return
    group = await get_community(name)
    actor = id_of(activity.get("actor")) or ""
    moderator = id_of(activity.get("object"))
    if not moderator:
        raise BadRequest("the activity names no moderator in object")
    kind = activity.get("type")
    if kind == "Add":
        if not await may_manage(ctx, group, actor):
            raise Forbidden(f"{actor} is not an owner of {group.name}")
        if await Moderator.exists(group_id=group.id, actor=moderator):
            return  # already there: a repeat changes nothing and is not announced twice
        await _remote_actor(ctx, moderator)
        async with ctx.fed.transaction() as conn:
            await Moderator.create(group=group, actor=moderator, role=ModeratorRole.MODERATOR, using_db=conn)
            await modlog.record(actor, ModlogAction.ADD_MODERATOR, moderator, community=group.name, conn=conn)
            await announce(ctx, group, activity, conn=conn)
    else:
        current = await Moderator.get_or_none(group_id=group.id, actor=moderator)
        if actor != moderator and not await may_manage(ctx, group, actor):
            raise Forbidden(f"{actor} is not an owner of {group.name}")
        if current is None:
            return
        async with ctx.fed.transaction() as conn:
            await _check_not_last_owner(group, current, conn)
            await Moderator.filter(id=current.id).using_db(conn).delete()
            await modlog.record(
                actor, ModlogAction.REMOVE_MODERATOR, moderator, community=group.name, conn=conn
            )
            await announce(ctx, group, activity, conn=conn)
    ctx.rosters.forget(group.id)
