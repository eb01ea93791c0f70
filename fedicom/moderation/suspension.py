"""The stages of a suspension's clean-up (run by the job of `cleanup.py`, a batch at a time).

Instance-wide, it cancels deliveries queued for the suspended servers, removes their members from
every community, tombstones their posts (members are told as for a moderator's removal) and purges
what was cached from them. In one community, it does the same there only, and tells each removed
member's server with Reject{Follow} (that server still federates with us). One pass handles any
number of domains, so a 10,000-domain import costs one scan, not 10,000.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub.models import (
    Delivery,
    DeliveryState,
    InboxItem,
    InboxState,
    OutgoingActivity,
    RemoteActor,
)
from fedicom.activitypub.vocab import host_of
from fedicom.errors import MalformedUrl
from fedicom.groups.context import Groups
from fedicom.groups.membership import end, end_membership
from fedicom.groups.models import Group, Membership, Post
from fedicom.moderation.domains import covering

COUNTS = ["deliveries_cancelled", "members_removed", "posts_removed", "actors_purged"]


def stages(*, instance_wide: bool) -> list[str]:
    """In order: deliveries first, so a community's Reject{Follow} to a removed member is not cancelled."""
    return ["deliveries", "members", "posts", *(["actors"] if instance_wide else [])]


def _covered(uri: str, blocked: dict[str, str]) -> bool:
    try:
        return covering(host_of(uri), blocked) is not None
    except MalformedUrl:
        return False


async def cancel_deliveries(
    ctx: Groups, group_id: int | None, domains: list[str], conn: BaseDBAsyncClient
) -> dict[str, int]:
    """Deliveries still queued for the servers (the community's only, in one community)."""
    blocked = dict.fromkeys(domains, "suspend")
    pending = Delivery.filter(state=DeliveryState.PENDING).using_db(conn)
    hosts = set(await pending.distinct().values_list("host", flat=True))
    covered = [h for h in hosts if covering(str(h), blocked)]
    if not covered:
        return {"deliveries_cancelled": 0}
    query = Delivery.filter(state=DeliveryState.PENDING, host__in=covered).using_db(conn)
    if group_id is not None:
        group = await Group.filter(id=group_id).using_db(conn).get()
        ids = await OutgoingActivity.filter(actor=ctx.uri(group)).using_db(conn).values_list("id", flat=True)
        query = query.filter(activity_id__in=ids)
    return {"deliveries_cancelled": await query.update(state=DeliveryState.CANCELLED)}


def member_scope(group_id: int | None, upto: int) -> Any:
    query = Membership.filter(id__lte=upto)
    return query.filter(group_id=group_id) if group_id is not None else query


async def remove_members(
    ctx: Groups,
    group_id: int | None,
    upto: int,
    domains: list[str],
    after: int,
    batch: int,
    conn: BaseDBAsyncClient,
) -> tuple[list[int], int]:
    """The next `batch` memberships after id `after`: those of the servers end. Returns the ids gone
    through and how many were removed."""
    rows = (
        await member_scope(group_id, upto)
        .filter(id__gt=after)
        .using_db(conn)
        .order_by("id")
        .limit(batch)
        .prefetch_related("group")
    )
    blocked = dict.fromkeys(domains, "suspend")
    theirs = [m for m in rows if _covered(m.actor, blocked)]
    for member in theirs:
        if group_id is not None:
            await end_membership(ctx, member.group, member, conn)
    if group_id is None:  # instance-wide: the server is cut off, nobody is told
        await end(ctx, theirs, conn)
    return [m.id for m in rows], len(theirs)


def post_scope(group_id: int | None, upto: int) -> Any:
    query = Post.filter(deleted=False, id__lte=upto)
    return query.filter(group_id=group_id) if group_id is not None else query


async def next_posts(
    group_id: int | None, upto: int, domains: list[str], after: int, batch: int, conn: BaseDBAsyncClient
) -> tuple[list[int], list[Post]]:
    """The next `batch` posts after id `after`: the ids gone through, and the servers' posts among them."""
    rows = (
        await post_scope(group_id, upto)
        .filter(id__gt=after)
        .using_db(conn)
        .order_by("id")
        .limit(batch)
        .values_list("id", "author")
    )
    blocked = dict.fromkeys(domains, "suspend")
    theirs = [int(pid) for pid, author in rows if _covered(str(author), blocked)]
    posts = (
        await Post.filter(id__in=theirs).using_db(conn).order_by("id").prefetch_related("group")
        if theirs
        else []
    )
    return [int(pid) for pid, _ in rows], list(posts)


async def purge_actors(domains: list[str], conn: BaseDBAsyncClient) -> dict[str, int]:
    """Instance-wide: what was cached from the servers, and their activities waiting to be processed."""
    blocked = dict.fromkeys(domains, "suspend")
    hosts = set(await RemoteActor.all().using_db(conn).distinct().values_list("host", flat=True))
    purged = [str(h) for h in hosts if covering(str(h), blocked)]
    if not purged:
        return {"actors_purged": 0}
    actors = await RemoteActor.filter(host__in=purged).using_db(conn).values_list("uri", flat=True)
    count = await RemoteActor.filter(host__in=purged).using_db(conn).delete()
    await (
        InboxItem.filter(state=InboxState.PENDING, actor__in=list(actors))
        .using_db(conn)
        .update(state=InboxState.DONE, error="server suspended")
    )
    return {"actors_purged": count}
