"""`fedicom block` and `fedicom modlog` as an operator uses them."""

from __future__ import annotations

from tests.support.cli import Run, one_line


def test_block_add_list_remove_and_the_modlog(migrated: Run) -> None:
    added = migrated("block", "add", "https://Bad.Example/about", "--reason", "spam", "--note", "ticket 7")
    assert added.exit_code == 0, added.output
    assert "Blocked bad.example (suspend)" in added.output and "Removed 0 members" in added.output

    listed = migrated("block", "list")
    assert "bad.example" in listed.output and "spam" in listed.output and "ticket 7" in listed.output

    removed = migrated("block", "remove", "bad.example")
    assert removed.exit_code == 0 and "Unblocked bad.example" in removed.output
    assert "bad.example" not in migrated("block", "list").output

    log = migrated("modlog")
    assert "block_domain" in log.output and "unblock_domain" in log.output and "admin:cli" in log.output


def test_block_errors_are_one_clear_line(migrated: Run) -> None:
    own = migrated("block", "add", "groups.example")
    assert own.exit_code == 1 and "own domain" in one_line(own)
    bad = migrated("block", "add", "not a domain")
    assert bad.exit_code == 1 and "not a valid domain" in one_line(bad)
    missing = migrated("block", "remove", "never.example")
    assert missing.exit_code == 1 and "is not blocked" in one_line(missing)
    severity = migrated("block", "add", "x.example", "--severity", "silence")
    assert severity.exit_code == 2 and "silence" in severity.output
