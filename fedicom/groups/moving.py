"""Moving a community to another server (FEP-7628 "Move actor"), and moving it back.

The new home must list the old community in `alsoKnownAs` first. The old Group then says `movedTo`,
sends `Move{actor: old, object: old, target: new}` to its followers' servers (Mastodon and Misskey
make their users follow the new home; Lemmy and Mbin do not), and follows the new home itself: for a
grace period it re-announces what the new home announces to the followers it still has. New posts
sent to the old community are refused with a reason naming the new home.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fedicom.activitypub.jsonld import ACTIVITY_CONTEXT
from fedicom.activitypub.vocab import PUBLIC, id_of, ids_of, new_activity_uri, now_iso, unique_ids
from fedicom.errors import BadRequest, FetchError
from fedicom.groups.aliases import handle_move as handle_alias_move
from fedicom.groups.aliases import resolve_account
from fedicom.groups.announce import announce
from fedicom.groups.communities import actor_document
from fedicom.groups.context import Groups
from fedicom.groups.models import Group, Membership

log = logging.getLogger("fedicom.moving")

# what a new home announces that the old community passes on; a bare object URI (Mastodon's boost
# shape) is skipped, the activity shape of the same post comes beside it (groups/announce.py)
PASSED_ON = frozenset({"Create", "Update", "Delete", "Like", "Dislike", "Undo"})


@dataclass(frozen=True)
class MoveState:
    """Where a community went and until when it passes its new home's posts on."""

    moved_to: str | None
    moved_at: datetime | None
    grace_ends: datetime | None

    @property
    def moved(self) -> bool:
        return self.moved_to is not None


def move_state(group: Group, grace: timedelta) -> MoveState:
    ends = group.moved_at + grace if group.moved_at else None
    return MoveState(group.moved_to, group.moved_at, ends if group.moved_to else None)


def build_move(old_uri: str, new_uri: str, *, activity_uri: str) -> dict[str, Any]:
    """The Move a community sends its followers (FEP-7628: the actor moves itself to `target`)."""
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": "Move",
        "actor": old_uri,
        "object": old_uri,
        "target": new_uri,
        "to": [f"{old_uri}/followers"],
        "cc": [PUBLIC],
        "published": now_iso(),
    }


def build_follow(actor: str, target: str, *, activity_uri: str) -> dict[str, Any]:
    """The old community follows its new home, to receive what to re-announce."""
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": "Follow",
        "actor": actor,
        "object": target,
        "to": [target],
    }


def build_undo_follow(follow: dict[str, Any], *, activity_uri: str) -> dict[str, Any]:
    inner = {k: v for k, v in follow.items() if k != "@context"}
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": "Undo",
        "actor": follow["actor"],
        "object": inner,
        "to": inner.get("to", []),
    }


def build_update_self(actor_doc: dict[str, Any], *, activity_uri: str) -> dict[str, Any]:
    """The Group's own `Update` of its actor: how Mastodon and Misskey learn of `movedTo`."""
    uri = actor_doc["id"]
    embedded = {k: v for k, v in actor_doc.items() if k != "@context"}
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": "Update",
        "actor": uri,
        "object": embedded,
        "to": [PUBLIC],
        "cc": [f"{uri}/followers"],
        "published": now_iso(),
    }


def check_listed(new_home: dict[str, Any], old_uri: str) -> None:
    """FEP-7628: a move is only valid when the target lists the old actor in `alsoKnownAs`. Pure."""
    if new_home.get("type") != "Group":
        raise BadRequest(f"{new_home.get('id')} is a {new_home.get('type')}, not a community (Group)")
    if old_uri not in ids_of(new_home.get("alsoKnownAs")):
        raise BadRequest(
            f"{new_home.get('id')} does not list {old_uri} in alsoKnownAs: add the old community as an "
            "alias of the new one first (fedicom community alias add NEW OLD on its server)"
        )


def passed_on(announce_activity: dict[str, Any]) -> dict[str, Any] | None:
    """The activity inside a new home's Announce that the old community re-announces, if any. Pure."""
    inner = announce_activity.get("object")
    if isinstance(inner, dict) and inner.get("type") in PASSED_ON:
        return inner
    return None


def within_grace(moved_at: datetime | None, now: datetime, grace: timedelta) -> bool:
    return moved_at is not None and now < moved_at + grace


async def move_community(ctx: Groups, group: Group, target: str) -> Group:
    """Move `group` to `target` (a handle or actor URL of a Group that lists it in `alsoKnownAs`)."""
    own = ctx.uri(group)
    new_uri = await resolve_account(ctx, target)
    if new_uri == own:
        raise BadRequest("a community cannot move to itself")
    if new_uri == group.moved_to:
        raise BadRequest(f"{group.name} has already moved to {new_uri}")
    new_home = await ctx.fed.actors.get(new_uri, refresh=True)  # its alsoKnownAs as it is now
    check_listed(new_home.document, own)
    fed = ctx.fed
    members = list((await ctx.rosters.of(group)).inboxes)
    follow = build_follow(own, new_uri, activity_uri=new_activity_uri(fed.base_url))
    previous = await _stop_following(ctx, group)
    async with fed.transaction() as conn:
        group.moved_to, group.moved_at = new_uri, datetime.now(UTC)
        group.move_follow_id = str(follow["id"])
        await group.save(using_db=conn, update_fields=["moved_to", "moved_at", "move_follow_id"])
        move = build_move(own, new_uri, activity_uri=new_activity_uri(fed.base_url))
        update = build_update_self(
            await actor_document(fed.keys, ctx.site, group), activity_uri=new_activity_uri(fed.base_url)
        )
        # the new home gets the Move too: a fedicom community that moved away from it comes back
        inboxes = unique_ids([*members, new_home.delivery_inbox])
        items = [(update, members), (move, inboxes), (follow, [new_home.inbox])]
        if previous:
            items.append(previous)
        await fed.send_many(items, actor=own, conn=conn)
    ctx.forget_group(group.name)
    log.info("%s moved to %s", group.name, new_uri)
    return group


async def _stop_following(ctx: Groups, group: Group) -> tuple[dict[str, Any], list[str]] | None:
    """The Undo of the community's Follow of its earlier new home, with where to send it."""
    if not group.moved_to or not group.move_follow_id:
        return None
    follow = build_follow(ctx.uri(group), group.moved_to, activity_uri=group.move_follow_id)
    try:
        inbox = (await ctx.fed.actors.get(group.moved_to)).inbox
    except FetchError:  # an unreachable earlier home sends nothing to stop anyway
        return None
    return build_undo_follow(follow, activity_uri=new_activity_uri(ctx.fed.base_url)), [inbox]


async def handle_move(ctx: Groups, activity: dict[str, Any]) -> None:
    """A `Move` to one of our communities (accepted from an alias only, aliases.py). When that
    community had itself moved to the mover, it is home again: `movedTo` is cleared and it stops
    following the other one (moving back, FEP-7628 the same way round)."""
    alias = await handle_alias_move(ctx, activity)
    if alias is None:
        return
    group = await Group.get(id=alias.group_id)  # type: ignore[attr-defined]
    if group.moved_to != alias.actor:
        return
    undo = await _stop_following(ctx, group)
    async with ctx.fed.transaction() as conn:
        group.moved_to = group.moved_at = group.move_follow_id = None
        await group.save(using_db=conn, update_fields=["moved_to", "moved_at", "move_follow_id"])
        own = ctx.uri(group)
        doc = await actor_document(ctx.fed.keys, ctx.site, group)
        update = build_update_self(doc, activity_uri=new_activity_uri(ctx.fed.base_url))
        items = [(update, list((await ctx.rosters.of(group)).inboxes))]
        if undo:
            items.append(undo)
        await ctx.fed.send_many(items, actor=own, conn=conn)
    ctx.forget_group(group.name)
    log.info("%s is home again: %s moved back", group.name, alias.actor)


async def handle_announce(ctx: Groups, activity: dict[str, Any]) -> int:
    """An Announce from a community one of ours moved to: passed on to the followers the old one still
    has (Lemmy and the others that do not act on Move) during the grace period; after it, the old
    community stops following and passing on. Returns how many communities passed it on."""
    sender = id_of(activity.get("actor"))
    inner = passed_on(activity)
    if not sender or inner is None:
        return 0
    passed = 0
    now = datetime.now(UTC)
    for group in await Group.filter(moved_to=sender):
        if not within_grace(group.moved_at, now, ctx.move_grace):
            if group.move_follow_id:
                await _grace_over(ctx, group)
            continue
        boost = id_of(inner.get("object")) if inner.get("type") == "Create" else None
        thread = isinstance(inner.get("object"), dict) and not inner["object"].get("inReplyTo")
        inboxes = await _passing_on_to(ctx, group, sender)
        async with ctx.fed.transaction() as conn:
            await announce(
                ctx, group, inner, conn=conn, boost_object=boost if thread else None, inboxes=inboxes
            )
        passed += 1
    return passed


async def _passing_on_to(ctx: Groups, group: Group, new_home: str) -> list[str]:
    """The old community's member servers, but never the new home's: when both follow each other (a
    move back under way) passing its posts back to it would bounce them between the two forever."""
    theirs = {
        str(i)
        for i in await Membership.filter(group_id=group.id, actor=new_home).values_list("inbox", flat=True)
    }
    return [i for i in (await ctx.rosters.of(group)).inboxes if i not in theirs]


async def _grace_over(ctx: Groups, group: Group) -> None:
    """Once: the old community unfollows its new home (it still says `movedTo`)."""
    undo = await _stop_following(ctx, group)
    async with ctx.fed.transaction() as conn:
        group.move_follow_id = None
        await group.save(using_db=conn, update_fields=["move_follow_id"])
        if undo:
            await ctx.fed.send_many([undo], actor=ctx.uri(group), conn=conn)
    log.info("%s: the grace period after its move is over, it passes nothing on any more", group.name)
