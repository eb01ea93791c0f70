"""Joining and leaving: Follow → Accept (open) or a pending request (private) → Accept/Reject."""

from __future__ import annotations

import json
from typing import Any

from fedicom.activitypub.federation import Federation
from fedicom.activitypub.jsonld import ACTIVITY_CONTEXT
from fedicom.activitypub.vocab import id_of, new_activity_uri
from fedicom.errors import BadRequest, NotFound
from fedicom.groups.announce import backfill
from fedicom.groups.models import Group, Membership


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
    fed: Federation, group: Group, follow: dict[str, Any], *, backfill_posts: int, banned: bool = False
) -> Membership | None:
    """Record a Follow; open groups accept at once, private ones keep it pending for a moderator."""
    actor_uri = id_of(follow.get("actor"))
    if not actor_uri:
        raise BadRequest("the Follow has no actor")
    actor = await fed.actors.get(actor_uri)
    group_uri = f"{fed.base_url}/c/{group.name}"
    if banned:
        await fed.send(
            build_follow_response("Reject", group_uri, follow, new_activity_uri(fed.base_url)),
            actor=group_uri,
            inboxes=[actor.inbox],
            public=False,
        )
        return None
    existing = await Membership.get_or_none(group=group, actor=actor_uri)
    state = "accepted" if not group.private or (existing and existing.state == "accepted") else "pending"
    async with fed.transaction() as conn:
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
        if state == "accepted":
            await _accept(fed, group, membership, actor.inbox, backfill_posts, conn)
    return membership


async def _accept(
    fed: Federation, group: Group, membership: Membership, inbox: str, posts: int, conn: Any
) -> None:
    group_uri = f"{fed.base_url}/c/{group.name}"
    follow = json.loads(membership.follow_activity)
    accept = build_follow_response("Accept", group_uri, follow, new_activity_uri(fed.base_url))
    await fed.send(accept, actor=group_uri, inboxes=[inbox], public=False, conn=conn)
    await backfill(fed, group, membership.inbox, accept, limit=posts, conn=conn)


async def approve(fed: Federation, group: Group, actor_uri: str, *, backfill_posts: int) -> Membership:
    """A moderator lets a pending member in: Accept{Follow}, then the recent posts."""
    membership = await Membership.get_or_none(group=group, actor=actor_uri)
    if membership is None:
        raise NotFound(f"{actor_uri} has not asked to join {group.name}")
    actor = await fed.actors.get(actor_uri)
    async with fed.transaction() as conn:
        membership.state = "accepted"
        await membership.save(using_db=conn)
        await _accept(fed, group, membership, actor.inbox, backfill_posts, conn)
    return membership


async def reject(fed: Federation, group: Group, actor_uri: str) -> None:
    """A moderator turns a request down (or removes a member): Reject{Follow}, membership ended."""
    membership = await Membership.get_or_none(group=group, actor=actor_uri)
    if membership is None:
        raise NotFound(f"{actor_uri} is not a member of {group.name} and has not asked to join")
    actor = await fed.actors.get(actor_uri)
    group_uri = f"{fed.base_url}/c/{group.name}"
    follow = json.loads(membership.follow_activity)
    async with fed.transaction() as conn:
        await membership.delete(using_db=conn)
        await fed.send(
            build_follow_response("Reject", group_uri, follow, new_activity_uri(fed.base_url)),
            actor=group_uri,
            inboxes=[actor.inbox],
            public=False,
            conn=conn,
        )


async def handle_unfollow(group: Group, actor_uri: str) -> bool:
    """Undo{Follow}: membership ends (and a pending request is withdrawn)."""
    return await Membership.filter(group=group, actor=actor_uri).delete() > 0


async def pending_requests(group: Group) -> list[Membership]:
    return await Membership.filter(group=group, state="pending").order_by("id")


async def is_member(group: Group, actor_uri: str) -> bool:
    return await Membership.exists(group=group, actor=actor_uri, state="accepted")
