"""Admin API: communities (list, show, create) and their moderators."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from fedicom.groups.communities import list_communities, member_count
from fedicom.groups.family import children_of
from fedicom.groups.kinds import CommunityKind
from fedicom.groups.models import Group, Moderator, ModeratorRole
from fedicom.moderation import moderators
from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import NO_NUL, CommunityPath, Name, Strict
from fedicom.moderation.api.registry import api
from fedicom.moderation.authority import is_moderator
from fedicom.moderation.community_updates import create_owned_community, edit_community

PostingPolicy = Literal["open", "members", "moderators"]
Premoderation = Literal["off", "new_members", "all"]


class ModeratorOut(BaseModel):
    actor: str
    role: ModeratorRole
    staff: str | None = Field(description="The local staff name, for moderators of this server.")
    since: datetime


class CommunityOut(BaseModel):
    name: str
    handle: str
    actor: str
    title: str
    summary: str
    rules: str
    privacy_policy: str
    private: bool
    posting_policy: str
    premoderation: str
    max_links: int | None
    notify_refusals: bool = Field(description="The community tells authors why a post was refused or held.")
    reply_similar: bool = Field(description="The community replies to a new idea with links to similar ones.")
    timezone: str = Field(description="The clock of its scheduled posts (an IANA zone).")
    kind: CommunityKind = Field(description="How its pages present threads; never federated.")
    parent: str | None = Field(description="The community it belongs under, by name.")
    children: list[str] = Field(description="The communities directly under it, by name.")
    feature_children: bool = Field(
        description="Its page shows its public children's best threads of the week."
    )
    leaderboard: bool = Field(
        description="Its public leaderboard page, /c/NAME/leaderboard (docs/recognition.md)."
    )
    members: int
    moderators: list[ModeratorOut]
    created_at: datetime


class CommunityCreate(Strict):
    name: Name
    title: str | None = Field(None, min_length=1, max_length=200, pattern=NO_NUL)
    summary: str = Field("", max_length=20_000, pattern=NO_NUL)
    rules: str = Field("", max_length=20_000, pattern=NO_NUL)
    privacy_policy: str = Field("", max_length=20_000, pattern=NO_NUL)
    private: bool = False
    posting_policy: PostingPolicy = "members"
    premoderation: Premoderation = "off"
    max_links: int | None = Field(None, ge=0, le=1000)
    kind: CommunityKind = Field(
        CommunityKind.DISCUSSION,
        description="How its pages present threads: discussion, ideas (an idea board) or questions.",
    )
    parent: Name | None = Field(None, description="The community it belongs under (three levels at most).")
    feature_children: bool = False


class CommunityUpdate(Strict):
    """Only the fields sent change; changes to what the Group actor shows federate as Update{Group}."""

    title: str | None = Field(None, min_length=1, max_length=200, pattern=NO_NUL)
    summary: str | None = Field(None, max_length=20_000, pattern=NO_NUL)
    rules: str | None = Field(None, max_length=20_000, pattern=NO_NUL)
    privacy_policy: str | None = Field(None, max_length=20_000, pattern=NO_NUL)
    private: bool | None = None
    sensitive: bool | None = None
    posting_policy: PostingPolicy | None = None
    premoderation: Premoderation | None = None
    max_links: int | None = Field(None, ge=0, le=1000, description="null: the instance default.")
    notify_refusals: bool | None = Field(
        None, description="Tell authors why their post was refused or held (at most once a day per reason)."
    )
    reply_similar: bool | None = Field(
        None, description="Reply to the author of a new idea that has likely duplicates, linking to them."
    )
    timezone: str | None = Field(None, max_length=64, pattern=NO_NUL, description="e.g. Europe/Paris.")
    leaderboard: bool | None = Field(
        None, description="Show the public leaderboard page (never for a private one)."
    )
    kind: CommunityKind | None = None
    parent: Name | None = Field(
        None,
        description="Place it under this community (the caller must moderate it too); null: a top-level one.",
    )
    feature_children: bool | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> CommunityUpdate:
        for key in self.model_fields_set - {"max_links", "parent"}:
            if getattr(self, key) is None:
                raise ValueError(f"{key} cannot be null: leave it out to keep it")
        return self


class ModeratorAdd(Strict):
    moderator: str = Field(
        min_length=1,
        max_length=1024,
        pattern=NO_NUL,
        description="A local staff name, a remote handle (@user@host) or an actor URI.",
        examples=["alice", "@bob@lemmy.example"],
    )
    role: ModeratorRole = ModeratorRole.MODERATOR


class ModeratorQuery(Strict):
    actor: str = Field(
        min_length=1,
        max_length=1024,
        pattern=NO_NUL,
        description="The moderator's actor URI (or staff name).",
    )


def moderator_out(call: Call, row: Moderator) -> ModeratorOut:
    return ModeratorOut(
        actor=row.actor,
        role=row.role,
        staff=call.ctx.site.staff_from_uri(row.actor),
        since=row.created_at,
    )


async def community_out(call: Call, group: Group) -> CommunityOut:
    site = call.ctx.site
    parent = await Group.get_or_none(id=group.parent_id) if group.parent_id else None  # type: ignore[attr-defined]
    return CommunityOut(
        name=group.name,
        handle=f"@{group.name}@{site.domain}",
        actor=site.uri(group.name),
        title=group.title,
        summary=group.summary,
        rules=group.rules,
        privacy_policy=group.privacy_policy,
        private=group.private,
        posting_policy=group.posting_policy,
        premoderation=group.premoderation,
        max_links=group.max_links,
        notify_refusals=group.notify_refusals,
        reply_similar=group.reply_similar,
        timezone=group.timezone,
        leaderboard=group.leaderboard,
        kind=group.kind,
        parent=parent.name if parent else None,
        children=[child.name for child in await children_of(group, everyone=True)],
        feature_children=group.feature_children,
        members=await member_count(group),
        moderators=[moderator_out(call, m) for m in await moderators.list_moderators(group)],
        created_at=group.created_at,
    )


@api.endpoint(
    "GET",
    "/communities",
    summary="List communities",
    scope="read",
    tag="communities",
    response=list[CommunityOut],
)
async def communities_list(call: Call) -> list[CommunityOut]:
    """All communities for admins; for moderators, the ones they moderate."""
    groups = [g for g in await list_communities() if await is_moderator(call.ctx.site, g, call.actor)]
    return [await community_out(call, g) for g in groups]


@api.endpoint(
    "GET",
    "/communities/{name}",
    summary="Show a community",
    scope="read",
    tag="communities",
    path_model=CommunityPath,
    response=CommunityOut,
)
async def communities_show(call: Call, path: CommunityPath) -> CommunityOut:
    """One community the caller moderates, with its settings and moderators."""
    return await community_out(call, await call.community(path.name))


@api.endpoint(
    "POST",
    "/communities",
    summary="Create a community",
    scope="admin",
    tag="communities",
    body=CommunityCreate,
    response=CommunityOut,
    status=201,
)
async def communities_create(call: Call, body: CommunityCreate) -> CommunityOut:
    """A new community; the admin creating it becomes its owner. A `parent` that is unknown, or would
    make more than three levels, is refused with the reason."""
    group = await create_owned_community(
        call.ctx,
        call.actor,
        body.name,
        title=body.title,
        summary=body.summary,
        rules=body.rules,
        privacy_policy=body.privacy_policy,
        private=body.private,
        posting_policy=body.posting_policy,
        premoderation=body.premoderation,
        max_links=body.max_links,
        kind=body.kind,
        parent=body.parent,
        feature_children=body.feature_children,
    )
    return await community_out(call, group)


@api.endpoint(
    "PATCH",
    "/communities/{name}",
    summary="Edit a community's settings",
    scope="moderate",
    tag="communities",
    path_model=CommunityPath,
    body=CommunityUpdate,
    response=CommunityOut,
)
async def communities_update(call: Call, path: CommunityPath, body: CommunityUpdate) -> CommunityOut:
    """Change the fields sent; a change members can see is federated as Update{Group} by the caller.

    Kind, parent and featured children are the server's own and federate nothing. A parent must be
    a community the caller moderates too; itself, one below it or one making over three levels is refused.
    """
    group = await call.community(path.name)
    await edit_community(call.ctx, group, call.staff, body.model_dump(exclude_unset=True))
    return await community_out(call, group)


@api.endpoint(
    "GET",
    "/communities/{name}/moderators",
    summary="List a community's moderators",
    scope="read",
    tag="moderators",
    path_model=CommunityPath,
    response=list[ModeratorOut],
)
async def moderators_list(call: Call, path: CommunityPath) -> list[ModeratorOut]:
    """Owners first; local staff and remote actors alike."""
    group = await call.community(path.name)
    return [moderator_out(call, m) for m in await moderators.list_moderators(group)]


@api.endpoint(
    "POST",
    "/communities/{name}/moderators",
    summary="Add a moderator",
    scope="moderate",
    tag="moderators",
    path_model=CommunityPath,
    body=ModeratorAdd,
    response=ModeratorOut,
    status=201,
)
async def moderators_add(call: Call, path: CommunityPath, body: ModeratorAdd) -> ModeratorOut:
    """Owners and admins add moderators (or change a role); the Add federates as Lemmy's."""
    group = await call.community(path.name)
    actor = await moderators.resolve_moderator(call.ctx, body.moderator)
    change = await moderators.add_moderator(call.ctx, group, actor, by=call.actor, role=body.role)
    return moderator_out(call, change.moderator)


@api.endpoint(
    "DELETE",
    "/communities/{name}/moderators",
    summary="Remove a moderator",
    scope="moderate",
    tag="moderators",
    path_model=CommunityPath,
    query=ModeratorQuery,
)
async def moderators_remove(call: Call, path: CommunityPath, query: ModeratorQuery) -> None:
    """Owners and admins remove moderators, anyone steps down; never the last owner."""
    group = await call.community(path.name)
    actor = query.actor
    if not actor.startswith(("https://", "http://")):
        actor = await moderators.resolve_moderator(call.ctx, actor)
    await moderators.remove_moderator(call.ctx, group, actor, by=call.actor)
