"""`fedicom db copy` moves a populated instance from SQLite to PostgreSQL and back, losing nothing.

Given a SQLite database with communities, members, posts, votes, deliveries, inbox items, modlog
rows, domain blocks and staff, the copy holds the same rows with the same ids, and fedicom served
from it answers the same outbox and keeps federating (new rows get fresh ids).
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import aiohttp

from fedicom.groups.models import Membership
from fedicom.moderation import modlog
from tests.deploy.populated import HOST, Source, dump, switching_dialect
from tests.deploy.webservers import serve
from tests.support.peer import Peer

FEDICOM = Path(sys.executable).parent / "fedicom"


async def copy(cwd: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FEDICOM_")}
    proc = await asyncio.create_subprocess_exec(
        str(FEDICOM),
        "db",
        "copy",
        *args,
        env={**clean, "FEDICOM_DEV": "1", "COLUMNS": "200", **(env or {})},
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 300)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_sqlite_to_postgresql_and_back(
    source: Source, postgres_database: str, peer: Peer, tmp_path: Path
) -> None:
    before = await dump(source.settings, source.url)
    assert all(
        before[t] for t in ("community", "post", "vote", "delivery", "inbox_item", "modlog_entry", "staff")
    )

    # When the SQLite database is copied to PostgreSQL
    code, out, err = await copy(
        tmp_path,
        "--from",
        source.url,
        "--to",
        postgres_database,
        env={"FEDICOM_DATA_DIR": str(tmp_path / "cli")},
    )
    assert code == 0, err + out
    total = sum(len(rows) for rows in before.values())
    assert (
        f"Copied {total} rows from sqlite://" in out and "to postgres://127.0.0.1:5432/fedicom_copy_" in out
    )

    # Then PostgreSQL holds the same rows, ids included
    assert await dump(source.settings, postgres_database) == before

    # And fedicom served from the copy answers as before, and keeps federating with fresh ids
    settings = source.settings.model_copy(update={"database_url": postgres_database})
    sock = socket.socket()
    sock.bind((HOST, source.port))
    switching_dialect()
    instance = await serve(settings, sock)
    try:
        async with aiohttp.ClientSession(headers={"Accept": "application/activity+json"}) as http:
            async with http.get(source.site.uri("news") + "/outbox") as resp:
                outbox = await resp.json(content_type=None)
        assert outbox["totalItems"] == 3
        assert {a["id"] for a in outbox["orderedItems"]} == {
            f"{source.site.uri('news')}/activities/{n}" for n in range(3)
        }
        person = peer.person("erin")
        follow = peer.activity("Follow", person, source.site.uri("news"))
        status, text = await peer.post(person, source.site.uri("news") + "/inbox", follow)
        assert status == 202, text
        await peer.wait_for(lambda: any(a["object"] == follow for a in peer.received_of("Accept")))
        entry = await modlog.record(source.site.staff_uri("alice"), "unban", "x")
        assert entry.id == max(r["id"] for r in before["modlog_entry"]) + 1
        joined = await Membership.get(actor=person.uri)
        assert joined.id == max(r["id"] for r in before["membership"]) + 1
    finally:
        await instance.stop()
    after = await dump(source.settings, postgres_database)
    assert len(after["membership"]) == len(before["membership"]) + 1

    # When it is copied back into a new SQLite file, nothing changes on the way
    back = f"sqlite://{tmp_path / 'back' / 'fedicom.sqlite3'}"
    (tmp_path / "back").mkdir()
    code, out, err = await copy(tmp_path, "--from", postgres_database, "--to", back)
    assert code == 0, err + out
    assert await dump(source.settings, back) == after


async def test_a_non_empty_target_is_refused_and_left_alone(source: Source, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    target = f"sqlite://{other / 'fedicom.sqlite3'}"
    assert (await copy(tmp_path, "--from", source.url, "--to", target))[0] == 0
    before = await dump(source.settings, target)
    code, _out, err = await copy(tmp_path, "--from", source.url, "--to", target)
    assert code == 1
    assert "Error: the target database is not empty (community has rows): copy into a new, empty one" in err
    assert await dump(source.settings, target) == before


async def test_bad_sources_and_targets_are_explained(source: Source, tmp_path: Path) -> None:
    missing = f"sqlite://{tmp_path / 'nothing.sqlite3'}"
    code, _, err = await copy(tmp_path, "--from", missing, "--to", f"sqlite://{tmp_path / 'x.sqlite3'}")
    assert (code, err.strip()) == (1, f"Error: there is no SQLite database at {tmp_path / 'nothing.sqlite3'}")
    assert not (tmp_path / "nothing.sqlite3").exists()
    code, _, err = await copy(
        tmp_path, "--from", source.url, "--to", "postgres://fedicom:secret@127.0.0.1:1/fedicom"
    )
    assert code == 1 and "Error: cannot use the target database postgres://127.0.0.1:1/fedicom: " in err
    assert "secret" not in err
    code, _, err = await copy(tmp_path, "--from", source.url, "--to", source.url)
    assert (code, err.strip()) == (1, "Error: the source and the target are the same database")
    code, _, err = await copy(tmp_path, "--from", source.url, "--to", "mysql://x")
    assert code == 1 and "is not a database URL" in err
