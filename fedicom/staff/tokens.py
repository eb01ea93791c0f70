"""API tokens of staff members: scoped, expiring, revocable; only a SHA-256 of each secret is stored.

A secret is shown once, at creation (`fdc_` + 43 url-safe characters, 256 random bits), so a leaked
database never yields a usable token; the prefix lets secret scanners and people recognise it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.errors import BadRequest, Forbidden, NotFound, Unauthorized
from fedicom.staff.models import ApiToken, Staff

PREFIX = "fdc_"
# read: look at everything the staff member may see; moderate: act on the communities they moderate;
# admin: instance-wide actions (staff, domain blocks, creating communities), for admins' tokens only.
SCOPES = ("read", "moderate", "admin")
MAX_LIFETIME = timedelta(days=3650)
TOUCH_EVERY = timedelta(seconds=60)  # last_used_at is written at most this often per token
_DURATION = re.compile(r"^([1-9][0-9]{0,4})([hdw])$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_duration(text: str) -> timedelta:
    """`12h`, `30d` or `8w`: how long a token lives."""
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise BadRequest(f"{text!r} is not a duration: use a number and h, d or w (e.g. 30d)")
    value = int(match[1]) * _UNITS[match[2]]
    if value > MAX_LIFETIME:
        raise BadRequest("a token lives at most 3650 days")
    return value


def check_scopes(staff: Staff, scopes: list[str]) -> list[str]:
    """The requested scopes, validated and deduplicated in a stable order."""
    if not scopes:
        raise BadRequest(f"name at least one scope: {', '.join(SCOPES)}")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise BadRequest(f"unknown scope {unknown[0]!r}: use {', '.join(SCOPES)}")
    if "admin" in scopes and not staff.is_admin:
        raise Forbidden(f"{staff.username} is not an admin: the admin scope is for admins' tokens")
    return [s for s in SCOPES if s in scopes]


async def create_token(
    staff: Staff, name: str, scopes: list[str], *, lifetime: timedelta | None = None
) -> tuple[ApiToken, str]:
    """A new token and its secret (the only time the secret exists outside the caller's hands)."""
    label = name.strip()
    if not 1 <= len(label) <= 100:
        raise BadRequest("a token name is 1 to 100 characters")
    if staff.disabled:
        raise BadRequest(f"the staff account {staff.username} is disabled")
    if lifetime is not None and not timedelta(0) < lifetime <= MAX_LIFETIME:
        raise BadRequest("a token lives between one second and 3650 days")
    checked = check_scopes(staff, scopes)
    secret = PREFIX + secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + lifetime if lifetime else None
    token = await ApiToken.create(
        staff=staff, name=label, token_hash=hash_secret(secret), scopes=checked, expires_at=expires
    )
    return token, secret


async def authenticate(secret: str) -> tuple[ApiToken, Staff]:
    """The token and staff member a secret stands for; any doubt is a 401 that says why."""
    if not secret.startswith(PREFIX):
        raise Unauthorized("the token is not a fedicom API token (they start with fdc_)")
    token = await ApiToken.get_or_none(token_hash=hash_secret(secret)).prefetch_related("staff")
    if token is None:
        raise Unauthorized("the token is unknown")
    now = datetime.now(UTC)
    if token.revoked_at is not None:
        raise Unauthorized("the token was revoked")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthorized("the token has expired")
    if token.staff.disabled:
        raise Unauthorized(f"the staff account {token.staff.username} is disabled")
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
        await ApiToken.filter(id=token.id).update(last_used_at=now)
    return token, token.staff


async def list_tokens(staff: Staff | None = None) -> list[ApiToken]:
    """One staff member's tokens, or everyone's; newest first, revoked ones included."""
    query = ApiToken.filter(staff_id=staff.id) if staff else ApiToken.all()
    return await query.order_by("-id").prefetch_related("staff")


async def revoke_token(by: Staff, token_id: int) -> ApiToken:
    """Revoke a token: one's own, or anyone's for an admin. Revoking twice is harmless."""
    token = await ApiToken.get_or_none(id=token_id).prefetch_related("staff")
    if token is None or (token.staff_id != by.id and not by.is_admin):  # type: ignore[attr-defined]
        raise NotFound(f"no token {token_id} of yours")
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
        await ApiToken.filter(id=token.id).update(revoked_at=token.revoked_at)
    return token


async def revoke_all(staff: Staff, *, conn: BaseDBAsyncClient | None = None) -> int:
    query = ApiToken.filter(staff_id=staff.id, revoked_at=None)
    return await (query.using_db(conn) if conn else query).update(revoked_at=datetime.now(UTC))


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    """active, expired or revoked: what `token list` shows."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= (now or datetime.now(UTC)):
        return "expired"
    return "active"
