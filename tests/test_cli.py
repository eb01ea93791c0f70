"""The `fedicom` command as an operator uses it: migrate, create and inspect communities, decide requests.

Each test runs the real click command in an empty working directory (so no developer `.env` leaks
in), against a fresh data dir, or against this run's PostgreSQL database when the suite runs there.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fedicom import storage
from fedicom.groups.models import Group
from fedicom.settings import load_settings
from tests.support.cli import DOMAIN, Run, one_line
from tests.support.db import POSTGRES_URL


def stored_group(env: dict[str, str], name: str) -> Group:
    settings = load_settings(
        data_dir=Path(env["FEDICOM_DATA_DIR"]), dev=True, database_url=env.get("FEDICOM_DATABASE_URL", "")
    )

    async def read() -> Group:
        await storage.open_db(settings)
        try:
            return await Group.get(name=name)
        finally:
            await storage.close_db()

    return asyncio.run(read())


def test_help_lists_the_commands(run: Run) -> None:
    result = run("--help")

    assert result.exit_code == 0
    for command in ("serve", "worker", "migrate", "community"):
        assert f"  {command} " in result.output, command


def test_migrate_is_idempotent(run: Run) -> None:
    first = run("migrate")
    second = run("migrate")

    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    if not POSTGRES_URL:  # a fresh SQLite file gets the schema now; the test database already has it
        assert "applied migration" in first.output
    assert "applied migration" not in second.output
    assert "up to date" in second.output


def test_created_community_is_listed_and_shown(migrated: Run, env: dict[str, str], tmp_path: Path) -> None:
    rules, privacy = tmp_path / "rules.md", tmp_path / "privacy.md"
    rules.write_text("1. Cite your sources.\n")
    privacy.write_text("We keep nothing.\n")

    created = migrated(
        "community",
        "create",
        "news",
        "--title",
        "News",
        "--private",
        "--rules-file",
        str(rules),
        "--privacy-file",
        str(privacy),
    )
    listed = migrated("community", "list")
    shown = migrated("community", "show", "news")

    assert created.exit_code == 0, created.output
    assert f"@news@{DOMAIN}" in created.output and f"http://{DOMAIN}/c/news" in created.output
    assert listed.exit_code == 0, listed.output
    row = next(line for line in listed.output.splitlines() if " news " in line)
    assert f"@news@{DOMAIN}" in row and "News" in row and "yes" in row
    assert shown.exit_code == 0, shown.output
    assert f"handle: @news@{DOMAIN}" in shown.output
    assert f"url: http://{DOMAIN}/c/news" in shown.output
    assert "title: News" in shown.output and "private: True" in shown.output
    group = stored_group(env, "news")
    assert group.rules == "1. Cite your sources.\n" and group.privacy_policy == "We keep nothing.\n"


@pytest.mark.parametrize("name", ["bad name", "bad-name", "café", "x" * 65])
def test_invalid_community_name_exits_1_with_a_one_line_error(migrated: Run, name: str) -> None:
    result = migrated("community", "create", name)

    assert result.exit_code == 1
    assert one_line(result) == "Error: a community name is 1-64 characters of a-z, 0-9 and _"


def test_duplicate_community_name_exits_1_with_a_one_line_error(migrated: Run) -> None:
    assert migrated("community", "create", "news").exit_code == 0

    result = migrated("community", "create", "NEWS")

    assert result.exit_code == 1
    assert one_line(result) == "Error: a community named news already exists"


@pytest.mark.parametrize("command", [("migrate",), ("community", "list")])
def test_invalid_setting_exits_2_naming_the_setting(run: Run, command: tuple[str, ...]) -> None:
    result = run(*command, FEDICOM_DOMAIN="bad domain")

    assert result.exit_code == 2, result.output
    assert "FEDICOM_DOMAIN" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_deciding_on_an_actor_without_a_request_exits_1(migrated: Run, decision: str) -> None:
    assert migrated("community", "create", "news").exit_code == 0

    result = migrated("community", decision, "news", "https://peer.example/users/nobody")

    assert result.exit_code == 1
    message = " ".join(result.output.split())
    assert message.startswith("Error: https://peer.example/users/nobody ")
    assert "has not asked to join" in message
    assert "Traceback" not in result.output


def test_deciding_in_an_unknown_community_exits_1(migrated: Run) -> None:
    result = migrated("community", "approve", "nothere", "https://peer.example/users/alice")

    assert result.exit_code == 1
    assert one_line(result) == "Error: there is no community named nothere"


def test_long_error_stays_on_one_line(migrated: Run) -> None:
    """Errors go to logs and pipes as well as terminals: one line each, not wrapped at 80 columns."""
    assert migrated("community", "create", "news").exit_code == 0

    result = migrated("community", "reject", "news", "https://peer.example/users/nobody")

    assert result.exit_code == 1
    assert one_line(result) == (
        "Error: https://peer.example/users/nobody is not a member of news and has not asked to join"
    )


def test_error_shows_what_was_typed_even_with_brackets(migrated: Run) -> None:
    """The name the operator typed is text, not console markup."""
    result = migrated("community", "show", "[/x]")

    assert result.exit_code == 1, result.output
    assert one_line(result) == "Error: there is no community named [/x]"


_AFTER_THE_OBJECT_STORE = """
import atexit, sys
import click
from fedicom import cli
from fedicom.media import s3
from fedicom.settings import load_settings

atexit.register(lambda: print("finalized", file=sys.stderr))

@cli.main.command()
@click.option("--code", default="0")
def probe(code):
    s3.S3Files(load_settings(dev=True, media_store="s3", s3_bucket="b", s3_endpoint="http://127.0.0.1:9",
                            s3_access_key="k", s3_secret_key="s"))
    print("x" * 300_000)  # its end sits in the output buffer until flushed
    if code == "crash":
        raise RuntimeError("crashed after using the store")
    if code != "0":
        sys.exit(int(code) if code.isdigit() else code)

cli.run()
"""


@pytest.mark.parametrize(
    ("code", "status", "said"),
    [("0", 0, ""), ("3", 3, ""), ("no bucket", 1, "no bucket"), ("crash", 1, "RuntimeError: crashed")],
)
def test_a_command_that_used_the_object_store_ends_without_finalizing(
    tmp_path: Path, code: str, status: int, said: str
) -> None:
    """obstore's threads could abort the interpreter's finalization (SIGABRT after a successful
    `fedicom doctor --only media`): such a process ends with its status and its output, unfinalized,
    whether the command succeeded, failed (an exit code or a message) or crashed."""
    done = subprocess.run(
        [sys.executable, "-c", _AFTER_THE_OBJECT_STORE, "probe", "--code", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("FEDICOM_")},
    )
    assert done.returncode == status, done.stderr
    assert done.stdout == "x" * 300_000 + "\n"
    assert said in done.stderr
    assert "finalized" not in done.stderr  # no atexit handler ran: the interpreter was not finalized


def test_python_dash_m_fedicom_is_the_command() -> None:
    """`python -m fedicom` goes through the same entry point as the installed command."""
    done = subprocess.run(
        [sys.executable, "-m", "fedicom", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "community" in done.stdout
