"""`fedicom block`, `fedicom allow` and `fedicom modlog` as an operator and a moderator use them."""

from __future__ import annotations

from pathlib import Path

from fedicom.staff.accounts import create_staff
from tests.moderation.helpers import PASSWORD
from tests.support.cli import Run, in_db, one_line

BASE = "http://groups.example"


def make_staff(env: dict[str, str], name: str, *, admin: bool) -> str:
    """A staff account in the CLI's database; returns its actor URI."""
    in_db(env, lambda: create_staff(name, PASSWORD, is_admin=admin))
    return f"{BASE}/u/{name}"


def test_block_add_list_remove_and_the_modlog(migrated: Run, env: dict[str, str]) -> None:
    make_staff(env, "root", admin=True)
    added = migrated("block", "add", "https://Bad.Example/about", "--reason", "spam", "--note", "ticket 7")
    assert added.exit_code == 0, added.output
    assert "Blocked bad.example (suspend)" in added.output and "Removed 0 members" in added.output

    listed = migrated("block", "list", COLUMNS="200")
    assert "bad.example" in listed.output and "spam" in listed.output and "ticket 7" in listed.output

    removed = migrated("block", "remove", "bad.example")
    assert removed.exit_code == 0 and "Unblocked bad.example" in removed.output
    assert "bad.example" not in migrated("block", "list", COLUMNS="200").output

    log = migrated("modlog", COLUMNS="200")
    assert "block_domain" in log.output and "unblock_domain" in log.output and f"{BASE}/u/root" in log.output


def test_severity_can_be_changed_explicitly_both_ways(migrated: Run, env: dict[str, str]) -> None:
    make_staff(env, "root", admin=True)
    assert migrated("block", "add", "x.example", "--severity", "limit", "--reject-media").exit_code == 0
    listed = migrated("block", "list", COLUMNS="200").output
    assert "limit" in listed and "reject media" in listed
    up = migrated("block", "add", "x.example", "--severity", "suspend")
    assert up.exit_code == 0 and "Blocked x.example (suspend)" in up.output and "Removed 0" in up.output
    down = migrated("block", "add", "x.example", "--severity", "noop", "--reject-reports")
    assert down.exit_code == 0 and "Blocked x.example (noop)" in down.output
    assert "reject reports" in migrated("block", "list", COLUMNS="200").output


def test_a_community_moderator_blocks_in_their_community_only(migrated: Run, env: dict[str, str]) -> None:
    make_staff(env, "root", admin=True)
    mod = make_staff(env, "mia", admin=False)
    assert migrated("community", "create", "news").exit_code == 0
    assert migrated("community", "create", "other").exit_code == 0
    assert migrated("community", "mod", "add", "news", mod).exit_code == 0

    ok = migrated("block", "add", "bad.example", "--community", "news", "--as", "mia")
    assert ok.exit_code == 0, ok.output
    assert "Blocked bad.example (suspend) in news" in ok.output
    assert "bad.example" in migrated("block", "list", "--community", "news", COLUMNS="200").output
    assert "bad.example" not in migrated("block", "list", COLUMNS="200").output  # not instance-wide

    elsewhere = migrated("block", "add", "bad.example", "--community", "other", "--as", "mia")
    assert elsewhere.exit_code == 1 and "does not moderate other" in one_line(elsewhere)
    instance_wide = migrated("block", "add", "bad.example", "--as", "mia")
    assert instance_wide.exit_code == 1 and "is not an instance admin" in one_line(instance_wide)
    assert "bad.example" not in migrated("block", "list", "--community", "other", COLUMNS="200").output

    lifted = migrated("block", "remove", "bad.example", "--community", "news", "--as", "mia")
    assert (
        lifted.exit_code == 0
        and "bad.example" not in migrated("block", "list", "--community", "news", COLUMNS="200").output
    )


def test_block_errors_are_one_clear_line(migrated: Run, env: dict[str, str]) -> None:
    nobody = migrated("block", "add", "x.example")
    assert nobody.exit_code == 1 and "no staff account yet" in one_line(nobody)
    make_staff(env, "root", admin=True)
    own = migrated("block", "add", "groups.example")
    assert own.exit_code == 1 and "own domain" in one_line(own)
    bad = migrated("block", "add", "not a domain")
    assert bad.exit_code == 1 and "not a valid domain" in one_line(bad)
    missing = migrated("block", "remove", "never.example")
    assert missing.exit_code == 1 and "is not blocked" in one_line(missing)
    severity = migrated("block", "add", "x.example", "--severity", "silence")
    assert severity.exit_code == 2 and "silence" in severity.output
    assert "x.example" not in migrated("block", "list", COLUMNS="200").output


def test_allow_add_list_remove(migrated: Run, env: dict[str, str]) -> None:
    make_staff(env, "root", admin=True)
    added = migrated("allow", "add", "Friends.Example", "--comment", "partner server")
    assert added.exit_code == 0 and "Allowed friends.example" in added.output
    assert "FEDICOM_FEDERATION_MODE" in added.output  # blocklist mode: the list has no effect yet
    listed = migrated("allow", "list", COLUMNS="200")
    assert "friends.example" in listed.output and "partner server" in listed.output
    again = migrated("allow", "add", "friends.example")
    assert again.exit_code == 1 and "already allowed" in one_line(again)
    assert migrated("allow", "remove", "friends.example").exit_code == 0
    assert "friends.example" not in migrated("allow", "list", COLUMNS="200").output
    missing = migrated("allow", "remove", "friends.example")
    assert missing.exit_code == 1 and "not on the list" in one_line(missing)
    log = migrated("modlog", COLUMNS="200").output
    assert "allow_domain" in log and "disallow_domain" in log


def test_import_dry_run_then_import_then_export(migrated: Run, env: dict[str, str], tmp_path: Path) -> None:
    make_staff(env, "root", admin=True)
    assert migrated("block", "add", "strong.example", "--severity", "suspend").exit_code == 0
    assert migrated("block", "add", "weak.example", "--severity", "noop", "--reject-media").exit_code == 0
    listing = tmp_path / "list.csv"
    listing.write_text(
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n"
        "new.example,silence,false,false,harassment,false\n"
        "strong.example,silence,false,false,,false\n"
        "weak.example,suspend,false,false,spam,true\n"
    )

    dry = migrated("block", "import", str(listing), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "+ new.example limit" in dry.output
    assert "^ weak.example noop → suspend" in dry.output
    assert "= strong.example skipped (line 3)" in dry.output
    assert "1 added, 1 upgraded, 0 unchanged, 1 skipped because they would downgrade, 0 invalid" in dry.output
    assert "Dry run" in dry.output and "new.example" not in migrated("block", "list", COLUMNS="200").output

    done = migrated("block", "import", str(listing), "--source", "friends-list")
    assert done.exit_code == 0, done.output
    assert "Imported 2 blocks from friends-list in" in done.output
    listed = migrated("block", "list", COLUMNS="200").output
    assert "friends-list" in listed and "new.example" in listed

    exported = migrated("block", "export")
    assert exported.exit_code == 0
    lines = exported.output.splitlines()
    assert lines[0] == "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate"
    assert "new.example,silence,false,false,harassment,false" in lines
    assert "strong.example,suspend,false,false,,false" in lines  # not downgraded
    assert "weak.example,suspend,false,false,spam,true" in lines

    out = tmp_path / "plain.txt"
    assert migrated("block", "export", "--format", "plain", "-o", str(out)).exit_code == 0
    assert out.read_text() == "strong.example\nweak.example\n"


def test_an_import_with_bad_rows_changes_nothing(migrated: Run, env: dict[str, str], tmp_path: Path) -> None:
    make_staff(env, "root", admin=True)
    listing = tmp_path / "list.csv"
    listing.write_text(
        "domain,severity,reject_media,reject_reports,public_comment,obfuscate\n"
        "fine.example,suspend,false,false,,false\n"
        "bad domain,suspend,false,false,,false\n"
        "other.example,obliterate,false,false,,false\n"
        "groups.example,suspend,false,false,,false\n"
        "x.example,suspend,maybe,false,,false\n"
    )
    dry = migrated("block", "import", str(listing), "--dry-run")
    assert dry.exit_code == 1
    for expected in (
        "x line 3: 'bad domain' is not a valid domain name",
        "x line 4: unknown severity 'obliterate'",
        "x line 5: blocking groups.example would block this server's own domain",
        "x line 6: reject_media must be true or false",
        "The import would be refused: 4 bad rows",
    ):
        assert expected in dry.output
    refused = migrated("block", "import", str(listing))
    assert refused.exit_code == 1
    message = one_line(refused)
    assert "nothing was imported: 4 bad rows" in message and "line 3" in message and "line 6" in message
    assert "fine.example" not in migrated("block", "list", COLUMNS="200").output
