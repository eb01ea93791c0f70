"""Local staff accounts: created with an argon2id password hash, resolved for CLI and API actions.

Each staff member is also a Person actor (`/u/NAME`): moderation activities are sent as that
person, because Lemmy accepts a moderator's `Delete`, `Block` or `Lock` only from a Person whose
domain is the community's (federation.md §2.7).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from fedicom.activitypub.columns import fits
from fedicom.errors import BadRequest, NotFound, shown
from fedicom.groups.communities import NAME_RE
from fedicom.groups.models import Group
from fedicom.staff.models import Staff, StaffSession
from fedicom.staff.tokens import revoke_all

Recorded = Callable[
    [Staff, int, BaseDBAsyncClient], Awaitable[object]
]  # account, tokens revoked, transaction

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise BadRequest(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def create_staff(
    username: str, password: str, *, is_admin: bool = False, display_name: str = ""
) -> Staff:
    """A new staff account; the name shares the handle namespace with communities."""
    name = username.strip().lower()
    if not NAME_RE.match(name):
        raise BadRequest(f"{username!r} is not a valid name: use 1 to 64 of a-z, 0-9 and _")
    if await Staff.exists(username=name):
        raise BadRequest(f"a staff account named {name} already exists")
    if await Group.exists(name=name):
        raise BadRequest(f"{name} is already a community's name")
    password_hash = await asyncio.to_thread(hash_password, password)  # argon2 takes ~50 ms of CPU
    return await Staff.create(
        username=name, password_hash=password_hash, is_admin=is_admin, display_name=display_name
    )


async def name_reserved(name: str) -> str | None:
    """Why a new community may not be named `name`: a staff member is (acct:NAME@DOMAIN is one actor)."""
    return f"{name} is already a staff member's name" if await Staff.exists(username=name) else None


async def get_staff(username: str) -> Staff:
    """The staff account by username (from a URL or the CLI); NotFound for names no column holds."""
    username = username.strip().lower()
    staff = await Staff.get_or_none(username=username) if fits(Staff, "username", username) else None
    if staff is None:
        raise NotFound(f"no staff account named {shown(username)}")
    return staff


async def acting(username: str | None) -> Staff:
    """The staff member a CLI action is taken as: the one named, or the only active admin."""
    if username:
        staff = await get_staff(username)
        if staff.disabled:
            raise BadRequest(f"the staff account {staff.username} is disabled")
        return staff
    admins = await Staff.filter(is_admin=True, disabled=False).order_by("id").limit(2)
    if len(admins) == 1:
        return admins[0]
    if not admins:
        raise BadRequest("no staff account yet: create one with `fedicom staff create NAME --admin`")
    raise BadRequest("several admins exist: say who acts with --as NAME (or FEDICOM_STAFF)")


async def set_password(username: str, password: str) -> tuple[Staff, int]:
    """A new password for an account; every browser signed in with the old one is signed out.

    Returns the account and how many sessions ended.
    """
    staff = await get_staff(username)
    password_hash = await asyncio.to_thread(hash_password, password)
    async with in_transaction() as conn:
        await Staff.filter(id=staff.id).using_db(conn).update(password_hash=password_hash)
        ended = await StaffSession.filter(staff_id=staff.id).using_db(conn).delete()
    staff.password_hash = password_hash
    return staff, ended


async def list_staff() -> list[Staff]:
    return await Staff.all().order_by("username")


async def remove_staff(username: str, *, record: Recorded, by_username: str | None = None) -> Staff:
    """Disable an account and revoke its tokens; its modlog rows and moderator rows stay as history.

    `record` writes the removal down in the same transaction (the modlog, for moderation); a staff
    member cannot remove themself, and the last active admin cannot be removed (nobody could manage
    the instance any more).
    """
    staff = await get_staff(username)
    if by_username == staff.username:
        raise BadRequest("you cannot remove your own account: ask another admin")
    if staff.disabled:
        raise BadRequest(f"the staff account {staff.username} is already disabled")
    if staff.is_admin and await Staff.filter(is_admin=True, disabled=False).count() <= 1:
        raise BadRequest(f"{staff.username} is the last admin: make another admin first")
    async with in_transaction() as conn:
        staff.disabled = True
        await Staff.filter(id=staff.id).using_db(conn).update(disabled=True)
        revoked = await revoke_all(staff, conn=conn)
        await StaffSession.filter(staff_id=staff.id).using_db(conn).delete()
        await record(staff, revoked, conn)
    return staff
