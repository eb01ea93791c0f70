"""Admin API: a community's reputation (members with points and badges, the left-out marked), and
leaving a member out of it or including them again (registered on import)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import NO_NUL, CommunityPath, Strict
from fedicom.moderation.api.registry import api
from fedicom.recognition import leaving
from fedicom.recognition.rules import Badge
from fedicom.recognition.standing import leaderboard


class ReputationQuery(Strict):
    limit: int = Field(100, ge=1, le=1000, description="The first N members by points.")


class StandingOut(BaseModel):
    actor: str
    points: int
    badges: list[Badge] = Field(description="The rarest first (docs/recognition.md).")
    left_out: bool = Field(description="Asked to be left out: shown to staff only.")


class LeftOutOut(BaseModel):
    actor: str
    recorded_by: str
    since: datetime


class ReputationOut(BaseModel):
    community: str
    leaderboard: bool = Field(description="Whether the public leaderboard page is on.")
    members: list[StandingOut]
    left_out: list[LeftOutOut]


class ActorBody(Strict):
    actor: str = Field(min_length=1, max_length=1024, pattern=NO_NUL, description="The member's actor URI.")


@api.endpoint(
    "GET",
    "/communities/{name}/reputation",
    summary="A community's members with their points and badges",
    scope="read",
    tag="recognition",
    path_model=CommunityPath,
    query=ReputationQuery,
    response=ReputationOut,
)
async def reputation_show(call: Call, path: CommunityPath, query: ReputationQuery) -> ReputationOut:
    """The most points first; members who asked to be left out are listed, marked, for staff only."""
    group = await call.community(path.name)
    board = await leaderboard(group, query.limit, public=False)
    return ReputationOut(
        community=group.name,
        leaderboard=group.leaderboard,
        members=[StandingOut(**s.as_json()) for s in board],
        left_out=[
            LeftOutOut(actor=x.actor, recorded_by=x.recorded_by, since=x.created_at)
            for x in await leaving.listing(group)
        ],
    )


@api.endpoint(
    "POST",
    "/communities/{name}/reputation/left-out",
    summary="Leave a member out of the community's recognition, at their request",
    scope="moderate",
    tag="recognition",
    path_model=CommunityPath,
    body=ActorBody,
    response=LeftOutOut,
)
async def reputation_leave_out(call: Call, path: CommunityPath, body: ActorBody) -> LeftOutOut:
    """They appear on no leaderboard and carry no badge; their points are still counted. Twice: no change."""
    found = await leaving.leave_out(await call.community(path.name), body.actor, by=call.actor)
    return LeftOutOut(actor=found.actor, recorded_by=found.recorded_by, since=found.created_at)


@api.endpoint(
    "POST",
    "/communities/{name}/reputation/include",
    summary="Show a left-out member's recognition again",
    scope="moderate",
    tag="recognition",
    path_model=CommunityPath,
    body=ActorBody,
)
async def reputation_include(call: Call, path: CommunityPath, body: ActorBody) -> None:
    """404 when the member was not left out."""
    await leaving.include(await call.community(path.name), body.actor)
