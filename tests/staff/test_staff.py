"""Staff accounts: argon2id hashes, who acts for the CLI, and the Person actor others verify us by."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from click.testing import CliRunner, Result

from fedicom.activitypub.signatures import IncomingRequest, sign_request, verify_request
from fedicom.cli import main
from fedicom.errors import BadRequest, NotFound
from fedicom.staff import sessions
from fedicom.staff.accounts import acting, create_staff, password_matches
from fedicom.staff.models import Staff, StaffSession
from tests.support.cli import Run, in_db, one_line
from tests.support.peer import Peer
from tests.support.servers import Instance

AS2 = "application/activity+json"


@pytest.fixture(autouse=True)
def cheap_password_hashing() -> None:
    """Not here: these tests check the hashing fedicom really does."""


async def test_password_is_stored_as_argon2id_and_checked(
    instance: Callable[..., Awaitable[Instance]],
) -> None:
    await instance()
    staff = await create_staff("alice", "correct horse battery", is_admin=True)
    assert staff.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # the recommended cost
    assert "correct horse" not in staff.password_hash
    assert password_matches(staff.password_hash, "correct horse battery")
    assert not password_matches(staff.password_hash, "correct horse battery!")
    assert not password_matches("not a hash", "correct horse battery")


@pytest.mark.parametrize(
    ("name", "password", "reason"),
    [
        ("Bad Name", "long enough pw", "not a valid name"),
        ("bob", "short", "at least 10"),
        ("news", "long enough pw", "already a community"),
    ],
)
async def test_bad_staff_accounts_are_refused(
    instance: Callable[..., Awaitable[Instance]], name: str, password: str, reason: str
) -> None:
    inst = await instance()
    await inst.community("news")
    with pytest.raises(BadRequest, match=reason):
        await create_staff(name, password)


async def test_acting_staff_is_the_named_one_or_the_only_admin(
    instance: Callable[..., Awaitable[Instance]],
) -> None:
    await instance()
    with pytest.raises(BadRequest, match="no staff account yet"):
        await acting(None)
    first = await create_staff("alice", "correct horse battery", is_admin=True)
    await create_staff("mod", "correct horse battery")
    assert (await acting(None)).id == first.id
    assert (await acting("mod")).username == "mod"
    with pytest.raises(NotFound):
        await acting("nobody")
    await create_staff("carol", "correct horse battery", is_admin=True)
    with pytest.raises(BadRequest, match="--as"):
        await acting(None)


async def test_person_actor_is_served_and_its_key_verifies_our_signatures(
    instance: Callable[..., Awaitable[Instance]], peer: Peer
) -> None:
    inst = await instance()
    await create_staff("alice", "correct horse battery", is_admin=True)
    uri = inst.site.staff_uri("alice")
    doc = await peer.get(uri)
    assert doc["type"] == "Person" and doc["id"] == uri and doc["preferredUsername"] == "alice"
    assert doc["publicKey"]["owner"] == uri and doc["inbox"] == f"{uri}/inbox"
    key_id, key = await inst.fed.keys.signer(uri)
    body = b'{"type":"Delete"}'
    url = "http://x.example/inbox"
    headers = sign_request(method="POST", url=url, body=body, key_id=key_id, private_key=key)
    verify_request(IncomingRequest("POST", url, headers, body), doc["publicKey"]["publicKeyPem"])
    status, _, _ = await peer.get_status(inst.site.staff_uri("nobody"))
    assert status == 404


# --- `fedicom staff …` and `fedicom community mod …` -------------------------------------------------


def staff_cli(env: dict[str, str], *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(main, list(args), env=env, input=stdin)


def test_staff_create_asks_the_password_twice_hidden_then_list_and_remove(
    migrated: Run, env: dict[str, str]
) -> None:
    pw = "correct horse battery"
    created = staff_cli(
        env, "staff", "create", "root", "--admin", "--display-name", "Root", stdin=f"{pw}\n{pw}\n"
    )
    assert created.exit_code == 0, created.output
    assert "Repeat for confirmation" in created.output and pw not in created.output
    assert "Created admin root (http://groups.example/u/root, @root@groups.example)" in created.output
    mismatch = staff_cli(env, "staff", "create", "mia", stdin=f"{pw}\nother password\n{pw}\n{pw}\n")
    assert mismatch.exit_code == 0 and "do not match" in mismatch.output
    short = staff_cli(env, "staff", "create", "bob", "--password-stdin", stdin="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in one_line(short)
    taken = staff_cli(env, "staff", "create", "mia", "--password-stdin", stdin=f"{pw}\n")
    assert taken.exit_code == 1 and "already exists" in one_line(taken)

    listed = migrated("staff", "list", COLUMNS="200").output
    assert "root" in listed and "admin" in listed and "mia" in listed and "active" in listed
    assert migrated("token", "create", "--as", "mia", "--name", "bot").exit_code == 0

    removed = migrated("staff", "remove", "mia")
    assert removed.exit_code == 0 and "Disabled mia and revoked its API tokens" in removed.output
    assert "disabled" in migrated("staff", "list", COLUMNS="200").output
    assert "revoked" in migrated("token", "list", "--as", "mia", COLUMNS="200").output
    assert "remove_staff" in migrated("modlog", COLUMNS="200").output
    self_removal = migrated("staff", "remove", "root")
    assert self_removal.exit_code == 1 and "your own account" in one_line(self_removal)
    named_like_staff = migrated("community", "create", "root")
    assert named_like_staff.exit_code == 1 and "staff member's name" in one_line(named_like_staff)


def test_community_mod_add_and_remove_local_staff_with_roles(migrated: Run, env: dict[str, str]) -> None:
    pw = "correct horse battery"
    for name, admin in (("root", True), ("olly", False), ("mia", False)):
        flags = ["--admin"] if admin else []
        assert (
            staff_cli(env, "staff", "create", name, *flags, "--password-stdin", stdin=f"{pw}\n").exit_code
            == 0
        )
    assert migrated("community", "create", "news").exit_code == 0

    owner = migrated("community", "mod", "add", "news", "olly", "--owner")
    assert owner.exit_code == 0, owner.output
    assert "http://groups.example/u/olly is now an owner of news" in owner.output
    by_owner = migrated("community", "mod", "add", "news", "@mia@groups.example", "--as", "olly")
    assert by_owner.exit_code == 0 and "is now a moderator of news" in by_owner.output
    refused = migrated("community", "mod", "add", "news", "root", "--as", "mia")
    assert refused.exit_code == 1 and "only an owner of news or an admin" in one_line(refused)
    unknown = migrated("community", "mod", "add", "news", "nobody")
    assert unknown.exit_code == 1 and "no active staff account named nobody" in one_line(unknown)

    listed = migrated("community", "mod", "list", "news", COLUMNS="200").output
    assert listed.index("u/olly") < listed.index("u/mia") and "owner" in listed
    last = migrated("community", "mod", "remove", "news", "olly")
    assert last.exit_code == 1 and "last owner of news" in one_line(last)
    gone = migrated("community", "mod", "remove", "news", "http://groups.example/u/mia", "--as", "olly")
    assert gone.exit_code == 0 and "no longer moderates news" in gone.output
    log = migrated("modlog", "--community", "news", COLUMNS="200").output
    assert log.count("add_moderator") == 2 and "remove_moderator" in log


def test_staff_password_sets_a_new_password_and_signs_every_browser_out(
    migrated: Run, env: dict[str, str]
) -> None:
    old, new = "correct horse battery", "another long password"
    assert staff_cli(env, "staff", "create", "mia", "--password-stdin", stdin=f"{old}\n").exit_code == 0

    async def sign_in_twice() -> None:
        mia = await Staff.get(username="mia")
        for _ in range(2):
            await sessions.open_session(mia)

    in_db(env, sign_in_twice)
    short = staff_cli(env, "staff", "password", "mia", "--password-stdin", stdin="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in one_line(short)
    changed = staff_cli(env, "staff", "password", "mia", stdin=f"{new}\n{new}\n")
    assert changed.exit_code == 0, changed.output
    assert "New password set for mia; 2 signed-in browsers signed out." in changed.output
    assert new not in changed.output

    async def check() -> tuple[bool, bool, int]:
        mia = await Staff.get(username="mia")
        left = await StaffSession.filter(staff_id=mia.id).count()
        return password_matches(mia.password_hash, new), password_matches(mia.password_hash, old), left

    assert in_db(env, check) == (True, False, 0)
    assert "set_password" in migrated("modlog", COLUMNS="200").output
    unknown = staff_cli(env, "staff", "password", "nobody", "--password-stdin", stdin=f"{new}\n")
    assert unknown.exit_code == 1 and "no staff account named nobody" in one_line(unknown)
