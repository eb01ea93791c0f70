"""Members who asked to be left out of a community's recognition, recorded by staff on request: they
appear on no leaderboard and carry no badge, while their points are still counted for when they return."""

from __future__ import annotations

from fedicom.activitypub.urls import url_or_none
from fedicom.errors import BadRequest, NotFound
from fedicom.groups.models import Group
from fedicom.recognition.models import LeftOut


async def leave_out(group: Group, actor: str, *, by: str) -> LeftOut:
    """`actor` (an ActivityPub actor URI) is left out of `group`'s recognition; twice changes nothing."""
    if url_or_none(actor) is None:
        raise BadRequest(f"{actor[:100]!r} is not an actor's address (https://server/users/name)")
    found, _ = await LeftOut.get_or_create(group_id=group.id, actor=actor, defaults={"recorded_by": by})
    return found


async def include(group: Group, actor: str) -> None:
    """`actor` is shown again, with the points they earned meanwhile."""
    if not await LeftOut.filter(group_id=group.id, actor=actor).delete():
        raise NotFound(f"{actor[:100]} is not left out of {group.name}")


async def listing(group: Group) -> list[LeftOut]:
    return await LeftOut.filter(group_id=group.id).order_by("created_at", "id")
