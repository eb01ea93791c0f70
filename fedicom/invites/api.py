"""Admin API: invite links of private communities (registered on import)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from fedicom.groups.communities import list_communities
from fedicom.groups.models import Group
from fedicom.invites.links import InviteState, create_invite, find_invite, invites_of, parse_duration
from fedicom.invites.links import revoke_invite as revoke
from fedicom.invites.links import shown as shown_invite
from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import CommunityPath, Name, Strict
from fedicom.moderation.api.registry import api
from fedicom.moderation.authority import is_moderator


class InviteOut(BaseModel):
    code: str
    community: str
    url: str = Field(description="The link to share: the invite page of the community with this code.")
    state: InviteState
    uses: int = Field(description="People who took a pass from the link.")
    max_uses: int | None = Field(description="How many may; null for no limit.")
    uses_left: int | None
    expires_at: datetime | None
    created_at: datetime
    created_by: str = Field(description="The staff member's actor URI.")
    revoked_at: datetime | None


class InviteIn(Strict):
    uses: int | None = Field(None, ge=1, le=100_000, description="How many people may use it (default: any).")
    expires: str | None = Field(
        None,
        pattern=r"^[1-9][0-9]{0,5}[mhdw]$",
        description="How long it lives: a number and m, h, d or w (default: until revoked).",
        examples=["7d", "12h"],
    )


class ListQuery(Strict):
    community: Name | None = Field(None, description="Only this community (default: every one you moderate).")


class CodePath(Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9_-]{8,32}$", description="The invite's code (its link's end).")


def _out(call: Call, group: Group, invite: object) -> InviteOut:
    return InviteOut(**shown_invite(call.ctx.site.base_url, group, invite).as_json())  # type: ignore[arg-type]


@api.endpoint(
    "GET",
    "/invites",
    summary="List invite links",
    scope="read",
    tag="invites",
    query=ListQuery,
    response=list[InviteOut],
)
async def invites_list(call: Call, query: ListQuery) -> list[InviteOut]:
    """Newest first, with each link's state (active, expired, used_up, revoked) and uses left."""
    if query.community is not None:
        groups = [await call.community(query.community)]
    else:
        groups = [g for g in await list_communities() if await is_moderator(call.ctx.site, g, call.actor)]
    return [_out(call, g, i) for g, i in await invites_of(groups)]


@api.endpoint(
    "POST",
    "/communities/{name}/invites",
    summary="Create an invite link",
    scope="moderate",
    tag="invites",
    path_model=CommunityPath,
    body=InviteIn,
    response=InviteOut,
    status=201,
)
async def invites_create(call: Call, path: CommunityPath, body: InviteIn) -> InviteOut:
    """For a private community: whoever opens the link and gives their handle joins without waiting."""
    group = await call.community(path.name)
    lifetime = parse_duration(body.expires) if body.expires is not None else None
    invite = await create_invite(group, call.actor, uses=body.uses, lifetime=lifetime)
    return _out(call, group, invite)


@api.endpoint(
    "DELETE",
    "/invites/{code}",
    summary="Revoke an invite link",
    scope="moderate",
    tag="invites",
    path_model=CodePath,
)
async def invites_revoke(call: Call, path: CodePath) -> None:
    """The link lets nobody in from now on; passes taken from it and not yet used are void."""
    group, invite = await find_invite(path.code)
    await call.community(group.name)  # only a moderator of its community
    await revoke(invite)
