"""Admin API: API tokens. Everyone manages their own; admins see and revoke everyone's."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from fedicom.errors import Forbidden
from fedicom.moderation.api.framework import COVERS, Call
from fedicom.moderation.api.params import IdPath, Name, Strict
from fedicom.moderation.api.registry import api
from fedicom.staff.accounts import get_staff
from fedicom.staff.models import ApiToken
from fedicom.staff.tokens import create_token, list_tokens, parse_duration, revoke_token, token_state

Scope = Literal["read", "moderate", "admin"]


class TokenOut(BaseModel):
    id: int
    name: str
    staff: str
    scopes: list[str]
    state: Literal["active", "expired", "revoked"]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    secret: str = Field(description="The token itself: shown this once, never stored.")


class TokenCreate(Strict):
    name: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[^\x00]*[^\s\x00][^\x00]*$",
        description="A label, e.g. the tool using it.",
    )
    scopes: list[Scope] = Field(min_length=1, max_length=3)
    expires_in: str | None = Field(
        None, pattern=r"^[1-9][0-9]{0,4}[hdw]$", description="Lifetime like 12h, 30d or 8w; none: no expiry."
    )


class TokenQuery(Strict):
    staff: Name | None = Field(None, description="Whose tokens (admins only; default: the caller's).")


def token_out(token: ApiToken) -> TokenOut:
    return TokenOut(
        id=token.id,
        name=token.name,
        staff=token.staff.username,
        scopes=list(token.scopes),
        state=token_state(token),  # type: ignore[arg-type]
        created_at=token.created_at,
        expires_at=token.expires_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


@api.endpoint(
    "GET",
    "/tokens",
    summary="List API tokens",
    scope="read",
    tag="tokens",
    query=TokenQuery,
    response=list[TokenOut],
)
async def token_list(call: Call, query: TokenQuery) -> list[TokenOut]:
    """The caller's tokens, or (for admins) another staff member's."""
    owner = call.staff
    if query.staff and query.staff != call.staff.username:
        call.require_admin()
        owner = await get_staff(query.staff)
    return [token_out(t) for t in await list_tokens(owner)]


@api.endpoint(
    "POST",
    "/tokens",
    summary="Create an API token",
    scope="read",
    tag="tokens",
    body=TokenCreate,
    response=TokenCreated,
    status=201,
)
async def token_create(call: Call, body: TokenCreate) -> TokenCreated:
    """A new token for the caller; it can carry no scope the calling token lacks."""
    for scope in body.scopes:
        if not any(s in call.token.scopes for s in COVERS[scope]):
            raise Forbidden(f"the calling token lacks the {scope} scope it would grant")
    lifetime = parse_duration(body.expires_in) if body.expires_in else None
    token, secret = await create_token(call.staff, body.name, list(body.scopes), lifetime=lifetime)
    token.staff = call.staff
    return TokenCreated(**token_out(token).model_dump(), secret=secret)


@api.endpoint(
    "DELETE", "/tokens/{id}", summary="Revoke an API token", scope="read", tag="tokens", path_model=IdPath
)
async def token_revoke(call: Call, path: IdPath) -> None:
    """Revoke one of the caller's tokens (admins: anyone's). It stops working at once."""
    await revoke_token(call.staff, path.id)
