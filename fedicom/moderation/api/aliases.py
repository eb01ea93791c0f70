"""Admin API: the accounts a community is also known as (`alsoKnownAs`), whose followers may move to it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from fedicom.groups.aliases import add_alias, aliases, remove_alias
from fedicom.groups.models import Alias
from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import NO_NUL, CommunityPath, Strict
from fedicom.moderation.api.registry import api
from fedicom.moderation.community_updates import announce_update


class AliasOut(BaseModel):
    account: str = Field(description="The account's actor URI.")
    added_at: datetime
    moved_at: datetime | None = Field(description="When a Move from it to the community arrived.")


class AliasAdd(Strict):
    account: str = Field(
        min_length=1,
        max_length=1024,
        pattern=NO_NUL,
        description="A handle (@user@host) or an actor URL.",
        examples=["@brand@mastodon.example"],
    )


class AliasQuery(Strict):
    account: str = Field(
        min_length=1, max_length=1024, pattern=NO_NUL, description="The alias's actor URI (or its handle)."
    )


def alias_out(alias: Alias) -> AliasOut:
    return AliasOut(account=alias.actor, added_at=alias.added_at, moved_at=alias.moved_at)


@api.endpoint(
    "GET",
    "/communities/{name}/aliases",
    summary="List a community's aliases",
    scope="read",
    tag="aliases",
    path_model=CommunityPath,
    response=list[AliasOut],
)
async def aliases_list(call: Call, path: CommunityPath) -> list[AliasOut]:
    """Oldest first, with the moment each moved its followers here, if it did."""
    return [alias_out(a) for a in await aliases(await call.community(path.name))]


@api.endpoint(
    "POST",
    "/communities/{name}/aliases",
    summary="Add an alias",
    scope="moderate",
    tag="aliases",
    path_model=CommunityPath,
    body=AliasAdd,
    response=AliasOut,
    status=201,
)
async def aliases_add(call: Call, path: CommunityPath, body: AliasAdd) -> AliasOut:
    """The account is resolved (WebFinger for a handle) and listed in the Group's `alsoKnownAs`, sent to
    members as Update{Group}; its server can then move its followers to the community."""
    group = await call.community(path.name)
    alias = await add_alias(call.ctx, group, body.account)
    await announce_update(call.ctx, group, call.staff)
    return alias_out(alias)


@api.endpoint(
    "DELETE",
    "/communities/{name}/aliases",
    summary="Remove an alias",
    scope="moderate",
    tag="aliases",
    path_model=CommunityPath,
    query=AliasQuery,
)
async def aliases_remove(call: Call, path: CommunityPath, query: AliasQuery) -> None:
    """A Move from the account is refused from then on."""
    group = await call.community(path.name)
    await remove_alias(call.ctx, group, query.account)
    await announce_update(call.ctx, group, call.staff)
