"""Admin API: what communities listen for beyond themselves, and what they heard (registered on import).

Keywords and hashtags are a community moderator's to set; a relay makes the instance actor follow it,
so only an admin adds one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from fedicom.groups.communities import list_communities
from fedicom.listening.models import ListenKind, RelayState
from fedicom.listening.report import listening
from fedicom.listening.subscriptions import Listed, add_relay, add_term, list_subscriptions, remove
from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import CommunityPath, IdPath, Name, Strict
from fedicom.moderation.api.registry import api
from fedicom.moderation.authority import is_moderator


class SubscriptionOut(BaseModel):
    id: int
    community: str
    kind: ListenKind
    term: str = Field(description="The keyword, the hashtag (without #), or the relay's actor URI.")
    relay_state: RelayState | None = Field(description="For a relay: pending, accepted or rejected.")
    relay_inbox: str | None
    relay_answered_at: datetime | None
    relay_heard: int | None = Field(description="For a relay: announces received from it.")
    created_at: datetime


def _out(found: Listed) -> SubscriptionOut:
    return SubscriptionOut(**found.as_json())  # type: ignore[arg-type]


class SubscriptionIn(Strict):
    relay: str | None = Field(None, max_length=1024, description="The relay's actor or inbox URL (admins).")
    keyword: str | None = Field(None, max_length=100, description="A word, matched whole, any case.")
    hashtag: str | None = Field(None, max_length=100, description="A hashtag, with or without #.")

    @model_validator(mode="after")
    def one(self) -> SubscriptionIn:
        if sum(v is not None for v in (self.relay, self.keyword, self.hashtag)) != 1:
            raise ValueError("give exactly one of relay, keyword and hashtag")
        return self


class ListQuery(Strict):
    community: Name | None = Field(None, description="Only this community (default: every one you moderate).")


async def _moderated(call: Call, community: str | None) -> list[Any]:
    if community is not None:
        return [await call.community(community)]
    return [g for g in await list_communities() if await is_moderator(call.ctx.site, g, call.actor)]


@api.endpoint(
    "GET",
    "/listening",
    summary="Relays, keywords and hashtags communities listen for",
    scope="read",
    tag="listening",
    query=ListQuery,
    response=list[SubscriptionOut],
)
async def listening_list(call: Call, query: ListQuery) -> list[SubscriptionOut]:
    """With each relay's state: pending until it accepts the instance actor's Follow."""
    return [_out(s) for s in await list_subscriptions(await _moderated(call, query.community))]


@api.endpoint(
    "POST",
    "/communities/{name}/listening",
    summary="Listen for a keyword or hashtag, or subscribe to a relay (admins)",
    scope="moderate",
    tag="listening",
    path_model=CommunityPath,
    body=SubscriptionIn,
    response=SubscriptionOut,
    status=201,
)
async def listening_add(call: Call, path: CommunityPath, body: SubscriptionIn) -> SubscriptionOut:
    """Public posts from anywhere that match are kept for the community's staff, never announced."""
    group = await call.community(path.name)
    if body.relay is not None:
        call.require_admin()
        return _out(await add_relay(call.ctx, group, body.relay))
    kind = ListenKind.KEYWORD if body.keyword is not None else ListenKind.HASHTAG
    return _out(await add_term(group, kind, body.keyword or body.hashtag or ""))


@api.endpoint(
    "DELETE",
    "/listening/{id}",
    summary="Stop listening for one thing (a relay nobody listens to any more is left)",
    scope="moderate",
    tag="listening",
    path_model=IdPath,
)
async def listening_remove(call: Call, path: IdPath) -> None:
    await remove(call.ctx, path.id, await _moderated(call, None))


class HeardQuery(Strict):
    days: int = Field(30, ge=1, le=366, description="The period: the last N days, today included.")
    limit: int = Field(100, ge=1, le=1000, description="Posts heard, newest first.")


class ListeningOut(BaseModel):
    community: str
    period: dict[str, Any]
    subscriptions: list[SubscriptionOut]
    heard: list[dict[str, Any]] = Field(description="Matched posts: url, author, excerpt, sentiment, terms.")
    days: list[dict[str, Any]] = Field(description="Per day: posts, positive, neutral, negative, not_scored.")
    total: int


@api.endpoint(
    "GET",
    "/communities/{name}/listening",
    summary="Public posts from outside the community that matched, with volume and sentiment per day",
    scope="read",
    tag="listening",
    path_model=CommunityPath,
    query=HeardQuery,
    response=ListeningOut,
)
async def listening_show(call: Call, path: CommunityPath, query: HeardQuery) -> ListeningOut:
    found = await listening(await call.community(path.name), query.days, limit=query.limit)
    return ListeningOut(**found.as_json())
