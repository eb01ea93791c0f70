"""A community's aliases (`alsoKnownAs`) and the `Move` an alias sends when its followers move here.

A brand with an account elsewhere (Mastodon, Misskey, …) lists that account as an alias of its
community; the account's server then lets it "move followers" to the community: it sends `Move
{actor: account, object: account, target: community}`, and each follower's server checks that the
community's actor lists the account in `alsoKnownAs` before following the community (FEP-7628,
Mastodon's `ActivityPub::Activity::Move`). A `Move` that reaches a community is accepted only from
one of its aliases, and recorded on the alias; any other is refused with its reason.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from fedicom.activitypub.fetch import actor_link
from fedicom.activitypub.vocab import id_of
from fedicom.errors import BadRequest, FetchError, Forbidden, NotFound
from fedicom.groups.context import Groups
from fedicom.groups.models import Alias, Group

log = logging.getLogger("fedicom.aliases")


async def resolve_account(ctx: Groups, text: str) -> str:
    """The actor URI of `@user@host` (by WebFinger) or of an actor URL, fetched to check it is one."""
    value = text.strip()
    if not value.startswith(("https://", "http://")):
        if "@" not in value.lstrip("@"):
            raise BadRequest(f"{value!r} is neither a handle (@user@host) nor an actor URL")
        try:
            uri = actor_link(await ctx.fed.fetcher.webfinger(value.removeprefix("acct:").lstrip("@")))
        except FetchError as exc:
            raise BadRequest(f"{value} could not be looked up: {exc.reason}") from None
        if uri is None:
            raise BadRequest(f"{value}'s server names no ActivityPub actor for it")
        value = uri
    try:
        return (await ctx.fed.actors.get(value)).uri
    except FetchError as exc:
        raise BadRequest(f"{value} is not a reachable fediverse actor: {exc.reason}") from None


async def add_alias(ctx: Groups, group: Group, account: str) -> Alias:
    """List `account` in the community's `alsoKnownAs` (adding one listed already changes nothing)."""
    uri = await resolve_account(ctx, account)
    if uri == ctx.uri(group):
        raise BadRequest("a community cannot be an alias of itself")
    alias, _ = await Alias.get_or_create(group=group, actor=uri)
    return alias


async def remove_alias(ctx: Groups, group: Group, account: str) -> str:
    """Take `account` (as listed, or a handle or URL that resolves to it) out of the aliases."""
    alias = await Alias.get_or_none(group=group, actor=account.strip())
    if alias is None:
        uri = await resolve_account(ctx, account)
        alias = await Alias.get_or_none(group=group, actor=uri)
    if alias is None:
        raise NotFound(f"{account} is not an alias of {group.name}")
    await alias.delete()
    return alias.actor


async def aliases(group: Group) -> list[Alias]:
    return await Alias.filter(group=group).order_by("id")


def moving(activity: dict[str, Any]) -> tuple[str, str]:
    """The account a `Move` moves and where to; Forbidden when it moves someone else. Pure."""
    actor = id_of(activity.get("actor")) or ""
    if id_of(activity.get("object")) != actor:
        raise Forbidden("an actor may only move itself")
    target = id_of(activity.get("target"))
    if not target:
        raise BadRequest("the Move names no target")
    return actor, target


async def handle_move(ctx: Groups, activity: dict[str, Any]) -> Alias | None:
    """A `Move` to one of our communities: accepted from one of its aliases (the moment is recorded,
    for staff to see), refused from anyone else. Moves to elsewhere are none of a community's business."""
    origin, target = moving(activity)
    name = ctx.site.name_from_uri(target)
    group = await Group.get_or_none(name=name) if name and target == ctx.site.uri(name) else None
    if group is None:
        return None
    alias = await Alias.get_or_none(group=group, actor=origin)
    if alias is None:
        raise Forbidden(
            f"{origin} is not an alias of {group.name}: its Move is refused "
            f"(add it first: fedicom community alias add {group.name} ACCOUNT)"
        )
    async with ctx.fed.transaction() as conn:
        alias.moved_at = datetime.now(UTC)
        await alias.save(using_db=conn, update_fields=["moved_at"])
    log.info("%s moved its followers to %s", origin, group.name)
    return alias
