"""The documentation's commands work: each `fedicom` command in it exists with those options,
its links lead somewhere, `fedicom-admin` runs commands as documented, and backups restore.
"""

from __future__ import annotations

import asyncio
import re
import shlex
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from fedicom import storage
from fedicom.moderation import modlog
from fedicom.moderation.models import ModlogAction
from tests.deploy.populated import Source, dump, switching_dialect
from tests.deploy.test_deploy_kit import parses_as_fedicom_command
from tests.deploy.webservers import REPO, binary, serve

DOCS = [
    *sorted((REPO / "docs").glob("*.md")),
    REPO / "README.md",
    REPO / "deploy" / "README.md",
    REPO / "well-known" / "README.md",
]
ADMIN = REPO / "deploy" / "systemd" / "fedicom-admin"
SHELL_BREAKS = {"&&", "||", "|", ";", ">", "<"}
LAUNCHERS = {"web", "worker", "exec", "&&"}  # `docker compose exec web fedicom ...`


def code_lines(doc: Path) -> list[str]:
    """Lines of the fenced shell blocks of a markdown file (a line ending in `\\` continues)."""
    lines, inside, pending = [], False, ""
    for line in doc.read_text().splitlines():
        fence = line.strip()
        if fence.startswith("```"):
            inside = fence == "```sh"
        elif inside:
            text = pending + line.split("  #")[0].strip()
            pending = text[:-1] + " " if text.endswith("\\") else ""
            if not pending:
                lines.append(text)
    return [line for line in lines if line]


def fedicom_commands(line: str) -> list[list[str]]:
    """The `fedicom ...` invocations in a shell line (also inside `sh -c '...'`, after fedicom-admin)."""
    found = []
    words = shlex.split(line)
    for i, word in enumerate(words):
        if " " in word:
            found += fedicom_commands(word)
        elif word in ("fedicom", "fedicom-admin") and (i == 0 or words[i - 1] in LAUNCHERS):
            args = []
            for arg in words[i + 1 :]:
                if arg in SHELL_BREAKS:
                    break
                args.append(arg)
            found.append(["fedicom", *args])
    return found


def test_every_fedicom_command_in_the_operator_docs_exists() -> None:
    seen = set()
    for doc in DOCS:
        for line in code_lines(doc):
            for command in fedicom_commands(line):
                parses_as_fedicom_command(command)
                seen.add(command[1])
    assert {"doctor", "migrate", "staff", "community", "db"} <= seen


def test_links_and_files_named_in_the_operator_docs_exist() -> None:
    for doc in DOCS:
        text = doc.read_text()
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (doc.parent / target).exists(), f"{doc.name} links to {target}"
        for path in re.findall(r"/opt/fedicom/src/((?:deploy|well-known)/[\w./-]+)", text):
            assert (REPO / path).exists(), f"{doc.name} names {path}"


def test_fedicom_admin_runs_commands_with_the_service_settings(tmp_path: Path) -> None:
    """As the units do: the settings file is read (values with spaces quoted), in the data directory."""
    data = tmp_path / "data"
    data.mkdir()
    env_file = tmp_path / "fedicom.env"
    env_file.write_text(
        '# settings\nFEDICOM_DEV=1\nFEDICOM_DOMAIN=groups.example\nFEDICOM_INSTANCE_NAME="Our groups"\n'
    )
    env = {
        "PATH": "/usr/bin:/bin:/usr/sbin:/sbin",
        "FEDICOM_ADMIN_USER": "root",  # the test runs as root; a server has the user fedicom
        "FEDICOM_ENV_FILE": str(env_file),
        "FEDICOM_BIN": str(Path(sys.executable).parent / "fedicom"),
        "FEDICOM_DATA_DIR": str(data),
    }

    def admin(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["sh", str(ADMIN), *args], env={**env, **extra}, capture_output=True, text=True, timeout=120
        )

    assert admin("migrate").returncode == 0
    created = admin("community", "create", "news", "--title", "News of the day")
    assert created.returncode == 0, created.stderr
    listed = admin("community", "list")
    assert "news" in listed.stdout and "News of the day" in listed.stdout
    assert (data / "fedicom.sqlite3").is_file() and (data / "secret_key").is_file()
    missing = admin("doctor", FEDICOM_ENV_FILE=str(tmp_path / "absent.env"))
    assert (missing.returncode, missing.stderr.strip()) == (
        2,
        f"fedicom-admin: cannot read {tmp_path / 'absent.env'} (run it with sudo)",
    )


# -- backups: the documented commands, then a server on the restored copy


def documented(doc: str, starts: str) -> str:
    lines = [line for line in code_lines(REPO / "docs" / doc) if line.startswith(starts)]
    assert lines, f"{doc} has no `{starts}` command"
    return lines[0]


async def settled(path: str) -> None:
    """The serving instance has queued what it queues when it starts (the hourly insights job, the
    listening prune): after that, it writes nothing unasked, so the backup and the live file agree."""
    for _ in range(250):
        with sqlite3.connect(path) as db:
            kinds = {k for (k,) in db.execute("SELECT kind FROM job WHERE state = 'pending'")}
        if {"insights.hourly", "listening.prune"} <= kinds:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the instance did not queue its periodic jobs in 5 s")


@pytest.mark.parametrize("method", [".backup", "VACUUM INTO"])
async def test_a_sqlite_backup_taken_while_serving_restores(
    method: str, tmp_path: Path, source: Source
) -> None:
    live = source.url.removeprefix("sqlite://")
    sock = socket.socket()
    sock.bind(("127.0.0.3", source.port))
    instance = await serve(source.settings, sock)
    try:
        await settled(live)
        backup = tmp_path / "backup.sqlite3"
        line = next(
            line
            for line in code_lines(REPO / "docs" / "backup.md")
            if line.startswith("sqlite3") and method in line
        )
        line = line.replace("/var/lib/fedicom/fedicom.sqlite3", live)
        line = line.replace("/var/backups/fedicom/fedicom-$(date +%F).sqlite3", str(backup))
        assert line.startswith(f"{binary('sqlite3').rsplit('/', 1)[-1]} {live} ")
        result = subprocess.run(shlex.split(line), capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
    finally:
        await instance.stop()
    with sqlite3.connect(backup) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    restored = source.settings.model_copy(update={"database_url": f"sqlite://{backup}"})
    assert await dump(source.settings, restored.database_url) == await dump(source.settings, source.url)
    sock = socket.socket()
    sock.bind(("127.0.0.3", source.port))
    instance = await serve(restored, sock)
    try:
        async with aiohttp.ClientSession(headers={"Accept": "application/activity+json"}) as http:
            async with http.get(source.site.uri("news") + "/outbox") as resp:
                assert (await resp.json(content_type=None))["totalItems"] == 3
    finally:
        await instance.stop()


async def test_a_pg_dump_restores_with_its_sequences_and_modlog_protection(
    source: Source, postgres_database: str, tmp_path: Path
) -> None:
    from fedicom.dbcopy import copy_database

    await copy_database(source.settings, source.url, postgres_database)  # a populated PostgreSQL database
    switching_dialect()
    file = tmp_path / "fedicom.dump"
    dump_line = documented("backup.md", "pg_dump --format=custom")
    dump_line = dump_line.replace("/var/backups/fedicom/fedicom-$(date +%F).dump", str(file))
    dump_line = dump_line.replace("postgres://fedicom:PASSWORD@127.0.0.1:5432/fedicom", postgres_database)
    assert subprocess.run(shlex.split(dump_line), capture_output=True, timeout=120).returncode == 0

    restored_url = postgres_database + "_restored"
    admin = await asyncpg.connect(postgres_database.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{restored_url.rsplit("/", 1)[1]}"')
    await admin.close()
    try:
        line = documented("backup.md", "pg_restore --no-owner")
        line = line.replace("postgres://fedicom:PASSWORD@127.0.0.1:5432/fedicom", restored_url)
        line = line.replace("/var/backups/fedicom/fedicom-2025-01-31.dump", str(file))
        result = subprocess.run(shlex.split(line), capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        before = await dump(source.settings, postgres_database)
        assert await dump(source.settings, restored_url) == before
        await storage.open_db(source.settings.model_copy(update={"database_url": restored_url}))
        try:
            entry = await modlog.record("https://x.example/u/alice", ModlogAction.BAN, "x")
            assert entry.id == max(r["id"] for r in before["modlog_entry"]) + 1
            with pytest.raises(Exception, match="append-only"):
                await entry.delete()
        finally:
            await storage.close_db()
    finally:
        admin = await asyncpg.connect(postgres_database.replace("postgres://", "postgresql://", 1))
        await admin.execute(f'DROP DATABASE IF EXISTS "{restored_url.rsplit("/", 1)[1]}" WITH (FORCE)')
        await admin.close()


def test_the_docs_screenshots_are_taken_by_the_browser_tests() -> None:
    """Each picture in docs/screenshots is one a browser test takes (`make screenshots` refreshes them),
    and the docs show every one of them."""
    from tests.web.docs_screenshots import DOCS as PICTURES
    from tests.web.docs_screenshots import SHOWN

    taken = set()
    for test in (REPO / "tests" / "web").glob("test_*.py"):
        taken |= set(re.findall(r"screenshot\(\w+, [\"']([\w-]+)[\"'](?:, \w+)?\)", test.read_text()))
    assert set(SHOWN) <= taken, set(SHOWN) - taken
    assert {p.stem for p in PICTURES.glob("*.png")} == set(SHOWN)
    shown_in_docs = set()
    for doc in DOCS:
        shown_in_docs |= set(re.findall(r"\]\(screenshots/([\w-]+)\.png\)", doc.read_text()))
    assert shown_in_docs == set(SHOWN)
