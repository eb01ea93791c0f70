"""The `expert` role: staff recognise a member of one community as an expert, and its pages say so next
to the member's name. A recognition, not a power: an expert moderates nothing."""

from __future__ import annotations

from fedicom.activitypub.urls import url_or_none
from fedicom.errors import BadRequest, NotFound
from fedicom.groups.models import Group
from fedicom.insights.models import Expert


async def grant(group: Group, actor: str, *, by: str) -> Expert:
    """`actor` (an ActivityPub actor URI) becomes an expert of `group`; granting twice changes nothing."""
    if url_or_none(actor) is None:
        raise BadRequest(f"{actor[:100]!r} is not an actor's address (https://server/users/name)")
    found, _ = await Expert.get_or_create(group_id=group.id, actor=actor, defaults={"granted_by": by})
    return found


async def revoke(group: Group, actor: str) -> None:
    if not await Expert.filter(group_id=group.id, actor=actor).delete():
        raise NotFound(f"{actor[:100]} is not an expert of {group.name}")


async def of(group: Group) -> frozenset[str]:
    """The experts of a community, for its pages."""
    return frozenset(str(a) for a in await Expert.filter(group_id=group.id).values_list("actor", flat=True))


async def listing(group: Group) -> list[Expert]:
    return await Expert.filter(group_id=group.id).order_by("created_at", "id")
