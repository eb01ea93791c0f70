"""API tokens: only a hash is stored, the secret is shown once, and expired, revoked or a disabled
account's tokens stop working with a reason; `fedicom token …` drives the same services."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from fedicom.cli import main
from fedicom.errors import BadRequest, Forbidden, NotFound, Unauthorized
from fedicom.moderation import modlog
from fedicom.staff.accounts import create_staff, remove_staff
from fedicom.staff.models import ApiToken, Staff
from fedicom.staff.tokens import (
    authenticate,
    create_token,
    list_tokens,
    parse_duration,
    revoke_token,
    token_state,
)
from tests.moderation.helpers import PASSWORD
from tests.support.cli import Run, in_db, one_line
from tests.support.servers import Instance


async def test_only_the_sha256_of_a_secret_is_stored_and_the_secret_authenticates(
    instance: Callable[..., Awaitable[Instance]],
) -> None:
    await instance()
    alice = await create_staff("alice", PASSWORD, is_admin=True)
    token, secret = await create_token(alice, "ci", ["read", "admin"], lifetime=timedelta(days=30))
    assert secret.startswith("fdc_") and len(secret) >= 40
    stored = await ApiToken.get(id=token.id)
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(await ApiToken.all().values())
    assert stored.scopes == ["read", "admin"] and stored.last_used_at is None
    assert stored.expires_at is not None and stored.expires_at - datetime.now(UTC) > timedelta(days=29)

    found, staff = await authenticate(secret)
    assert (found.id, staff.username) == (token.id, "alice")
    assert (await ApiToken.get(id=token.id)).last_used_at is not None


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        ("unknown", "the token is unknown"),
        ("foreign", "start with fdc_"),
        ("expired", "has expired"),
        ("revoked", "was revoked"),
        ("disabled", "is disabled"),
    ],
)
async def test_unusable_tokens_are_refused_with_the_reason(
    instance: Callable[..., Awaitable[Instance]], spoil: str, reason: str
) -> None:
    await instance()
    mia = await create_staff("mia", PASSWORD)
    token, secret = await create_token(mia, "bot", ["read"])
    if spoil == "unknown":
        secret = secret[:-3] + "xyz"
    elif spoil == "foreign":
        secret = "ghp_" + secret[4:]
    elif spoil == "expired":
        await ApiToken.filter(id=token.id).update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    elif spoil == "revoked":
        await revoke_token(mia, token.id)
    else:  # disabled behind the services' back (remove_staff also revokes the tokens)
        await Staff.filter(id=mia.id).update(disabled=True)
    with pytest.raises(Unauthorized, match=reason):
        await authenticate(secret)


async def test_scopes_and_lifetimes_are_checked(instance: Callable[..., Awaitable[Instance]]) -> None:
    await instance()
    mia = await create_staff("mia", PASSWORD)
    with pytest.raises(Forbidden, match="not an admin"):
        await create_token(mia, "x", ["admin"])
    with pytest.raises(BadRequest, match="unknown scope 'write'"):
        await create_token(mia, "x", ["write"])
    with pytest.raises(BadRequest, match="at least one scope"):
        await create_token(mia, "x", [])
    with pytest.raises(BadRequest, match="1 to 100"):
        await create_token(mia, " ", ["read"])
    assert parse_duration("12h") == timedelta(hours=12) and parse_duration("8W") == timedelta(weeks=8)
    for bad in ("30", "0d", "3 days", "99999w"):
        with pytest.raises(BadRequest):
            parse_duration(bad)
    assert not await ApiToken.exists()


async def test_revoking_is_for_the_owner_or_an_admin(instance: Callable[..., Awaitable[Instance]]) -> None:
    await instance()
    root = await create_staff("root", PASSWORD, is_admin=True)
    mia = await create_staff("mia", PASSWORD)
    bob = await create_staff("bob", PASSWORD)
    token, _ = await create_token(mia, "bot", ["read"])
    with pytest.raises(NotFound):
        await revoke_token(bob, token.id)
    assert token_state(await ApiToken.get(id=token.id)) == "active"
    await revoke_token(root, token.id)
    assert token_state(await ApiToken.get(id=token.id)) == "revoked"
    assert [t.id for t in await list_tokens(mia)] == [token.id] and await list_tokens(bob) == []


async def test_removing_a_staff_member_revokes_their_tokens_and_keeps_the_last_admin(
    instance: Callable[..., Awaitable[Instance]],
) -> None:
    await instance()
    root = await create_staff("root", PASSWORD, is_admin=True)
    await create_staff("mia", PASSWORD)
    mia = await create_staff("max", PASSWORD)
    await create_token(mia, "a", ["read"])
    await create_token(mia, "b", ["moderate"])
    await remove_staff("max", record=modlog.staff_removed("root"), by_username="root")
    assert {token_state(t) for t in await list_tokens(mia)} == {"revoked"}
    logged = await modlog.entries(action="remove_staff")
    assert [(e.moderator, e.target, e.details) for e in logged] == [("root", "max", {"tokens_revoked": 2})]
    with pytest.raises(BadRequest, match="your own account"):
        await remove_staff("root", record=modlog.staff_removed("root"), by_username="root")
    with pytest.raises(BadRequest, match="last admin"):
        await remove_staff("root", record=modlog.staff_removed("mia"), by_username="mia")
    with pytest.raises(BadRequest, match="already disabled"):
        await remove_staff("max", record=modlog.staff_removed("root"), by_username=root.username)


# --- the CLI -------------------------------------------------------------------------------------------


def test_token_create_prints_the_secret_once_then_list_and_revoke(migrated: Run, env: dict[str, str]) -> None:
    created = CliRunner().invoke(
        main, ["staff", "create", "root", "--admin", "--password-stdin"], env=env, input=PASSWORD + "\n"
    )
    assert created.exit_code == 0, created.output

    made = migrated("token", "create", "--name", "deploy bot", "--scope", "admin", "--expires", "30d")
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("fdc_") and "not shown again" in made.stderr
    row = in_db(env, lambda: ApiToken.get(id=1))
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest() and row.scopes == ["admin"]

    listed = migrated("token", "list", COLUMNS="200")
    assert "deploy bot" in listed.output and "active" in listed.output and secret not in listed.output

    assert migrated("token", "revoke", "1").exit_code == 0
    assert "revoked" in migrated("token", "list", "--as", "root", COLUMNS="200").output
    missing = migrated("token", "revoke", "99")
    assert missing.exit_code == 1 and "no token 99" in one_line(missing)
    bad = migrated("token", "create", "--name", "x", "--expires", "soon")
    assert bad.exit_code == 1 and "not a duration" in one_line(bad)
