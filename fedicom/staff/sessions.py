"""Signed-in browsers of staff members: a random secret in a cookie, only its SHA-256 in the database.

A session ends when its staff member signs out, after a day without use, two weeks after sign-in at
the latest, when the account is disabled, and when its password changes; so a stolen cookie or a
forgotten browser does not stay useful for long, and an admin can cut every browser off at once.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta
from functools import cache

from fedicom.staff.accounts import hash_password, password_matches
from fedicom.staff.models import Staff, StaffSession
from fedicom.staff.tokens import hash_secret

IDLE = timedelta(days=1)
LIFETIME = timedelta(days=14)
TOUCH_EVERY = timedelta(minutes=5)  # last_seen_at is written at most this often per session


@cache
def _decoy() -> str:
    """A hash verified when the name is unknown, so a wrong name takes as long as a wrong password."""
    return hash_password(secrets.token_urlsafe(24))


async def check_password(username: str, password: str) -> Staff | None:
    """The active staff member with this name and password, or None (which of the two was wrong
    is not told, and takes the same time to find out)."""
    staff = await Staff.get_or_none(username=username.strip().lower())
    stored = staff.password_hash if staff is not None and not staff.disabled else _decoy()
    matches = await asyncio.to_thread(password_matches, stored, password)  # argon2: ~50 ms of CPU
    return staff if matches and staff is not None and not staff.disabled else None


async def open_session(staff: Staff, *, address: str = "", user_agent: str = "") -> str:
    """A new session; returns the secret for the cookie (the database never holds it)."""
    secret = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    await purge_expired(now)
    await StaffSession.create(
        staff=staff,
        token_hash=hash_secret(secret),
        last_seen_at=now,
        expires_at=now + LIFETIME,
        address=address[:64],
        user_agent=user_agent[:255],
    )
    await Staff.filter(id=staff.id).update(last_login_at=now)
    return secret


async def resolve(secret: str, now: datetime | None = None) -> Staff | None:
    """The staff member a cookie's secret signs in, if its session is still alive."""
    if not secret or len(secret) > 128:
        return None
    session = await StaffSession.get_or_none(token_hash=hash_secret(secret)).prefetch_related("staff")
    if session is None:
        return None
    now = now or datetime.now(UTC)
    if session.staff.disabled or now >= session.expires_at or now - session.last_seen_at >= IDLE:
        await session.delete()
        return None
    if now - session.last_seen_at >= TOUCH_EVERY:
        await StaffSession.filter(id=session.id).update(last_seen_at=now)
    return session.staff


async def close_session(secret: str) -> None:
    await StaffSession.filter(token_hash=hash_secret(secret)).delete()


async def close_all(staff: Staff) -> int:
    """End every session of a staff member (password changed, account disabled, sign out everywhere)."""
    return await StaffSession.filter(staff_id=staff.id).delete()


async def purge_expired(now: datetime | None = None) -> int:
    """Forget sessions nobody can use any more."""
    now = now or datetime.now(UTC)
    return (
        await StaffSession.filter(expires_at__lte=now).delete()
        + await StaffSession.filter(last_seen_at__lte=now - IDLE).delete()
    )
