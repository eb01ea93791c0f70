"""Admin API: moving a community to another server, and where a moved community went."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from fedicom.groups.models import Group
from fedicom.groups.moving import move_state
from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import NO_NUL, CommunityPath, Strict
from fedicom.moderation.api.registry import api
from fedicom.moderation.moving import move_as_staff


class MoveOut(BaseModel):
    moved_to: str | None = Field(
        description="The new home's actor URI; null when the community has not moved."
    )
    moved_at: datetime | None
    grace_ends: datetime | None = Field(
        description="Until then the community passes its new home's posts on to the followers it still has."
    )


class MoveIn(Strict):
    to: str = Field(
        min_length=1,
        max_length=1024,
        pattern=NO_NUL,
        description="The new home: a handle (@name@host) or the actor URL of a Group that lists this "
        "community in alsoKnownAs.",
        examples=["@brand@new.example"],
    )


def move_out(call: Call, group: Group) -> MoveOut:
    state = move_state(group, call.ctx.move_grace)
    return MoveOut(moved_to=state.moved_to, moved_at=state.moved_at, grace_ends=state.grace_ends)


@api.endpoint(
    "GET",
    "/communities/{name}/move",
    summary="Where a community moved",
    scope="read",
    tag="moving",
    path_model=CommunityPath,
    response=MoveOut,
)
async def move_show(call: Call, path: CommunityPath) -> MoveOut:
    """All null while the community has not moved (or has moved back)."""
    return move_out(call, await call.community(path.name))


@api.endpoint(
    "POST",
    "/communities/{name}/move",
    summary="Move a community to another server",
    scope="moderate",
    tag="moving",
    path_model=CommunityPath,
    body=MoveIn,
    response=MoveOut,
)
async def move_create(call: Call, path: CommunityPath, body: MoveIn) -> MoveOut:
    """The new home must list the community in `alsoKnownAs` (400 otherwise). The community then says
    `movedTo`, sends `Move` to its followers' servers, follows its new home and passes its posts on for
    the grace period, and refuses new posts. Owners of the community and admins only."""
    group = await call.community(path.name)
    return move_out(call, await move_as_staff(call.ctx, group, call.staff, body.to))
