"""`fedicom db copy` moves a populated instance from SQLite to PostgreSQL and back, losing nothing.

Given a SQLite database with communities, members, posts, votes, deliveries, inbox items, modlog
rows, domain blocks and staff, the copy holds the same rows with the same ids, and fedicom served
from it answers the same outbox and keeps federating (new rows get fresh ids).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

from fedicom import storage
from fedicom.activitypub.keys import KeyStore
from fedicom.activitypub.models import Delivery, InboxItem, OutgoingActivity, RemoteActor, RemoteServer
from fedicom.groups.communities import Site, create_community
from fedicom.groups.models import Membership, Moderator, Post, Vote
from fedicom.moderation import modlog
from fedicom.moderation.models import (
    ApiToken,
    Ban,
    DomainAllow,
    DomainBlock,
    Filter,
    Report,
)
from fedicom.moderation.staff import create_staff
from fedicom.settings import Settings, load_settings
from tests.deploy.webservers import free_port, serve
from tests.support.peer import Peer

FEDICOM = Path(sys.executable).parent / "fedicom"
HOST = "127.0.0.3"
POSTGRES = (
    os.environ.get("FEDICOM_TEST_DATABASE")
    or os.environ.get("FEDICOM_TEST_POSTGRES")
    or "postgres://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
async def postgres_database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database on the test server, dropped afterwards."""
    base, _, _ = POSTGRES.rpartition("/")
    name = f"fedicom_copy_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        admin = await asyncpg.connect(POSTGRES.replace("postgres://", "postgresql://", 1))
    except OSError as exc:
        pytest.fail(
            f"this test copies into PostgreSQL and cannot reach {POSTGRES} ({exc}); start PostgreSQL or "
            "set FEDICOM_TEST_POSTGRES=postgres://USER@HOST:PORT/DB"
        )
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield f"{base}/{name}"
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def switching_dialect() -> None:
    """Tortoise caches each model's INSERT per connection name, not per dialect: these tests run SQLite
    and PostgreSQL in one process under the name "default", so the cache is dropped at each switch."""
    EXECUTOR_CACHE.clear()


@pytest.fixture(autouse=True)
def _dialect_cache() -> Iterator[None]:
    """Other tests of the run use the suite's own database: leave them a cache of their dialect."""
    switching_dialect()
    yield
    switching_dialect()


@dataclass
class Source:
    settings: Settings
    site: Site
    port: int

    @property
    def url(self) -> str:
        return self.settings.database_url


def at(day: int) -> datetime.datetime:
    return datetime.datetime(2025, 3, day, 12, 30, 15, 123456, tzinfo=datetime.UTC)


async def populate(site: Site) -> None:
    """One of everything an instance stores, through the services where they exist."""
    keys = KeyStore()
    news = await create_community(keys, site, "news", title="News ✓", rules="1. Be kind.")
    quiet = await create_community(keys, site, "quiet", title="Quiet", private=True)
    admin = await create_staff("alice", "a long password", is_admin=True)
    await create_staff("bob", "another long password")
    await ApiToken.create(staff=admin, name="ci", token_hash="ab" * 32, scopes=["modlog:read"])
    remote = "http://peer.example/users/"
    for name in ("carol", "dave"):
        await RemoteActor.create(
            uri=remote + name,
            type="Person",
            host="peer.example",
            preferred_username=name,
            inbox=remote + name + "/inbox",
            shared_inbox="http://peer.example/inbox",
            document={"id": remote + name, "name": f"{name} ☕"},
            fetched_at=time.time(),
        )
    await Membership.create(
        group=news,
        actor=remote + "carol",
        inbox="http://peer.example/inbox",
        state="accepted",
        follow_id="f1",
        follow_activity="{}",
    )
    await Membership.create(
        group=quiet,
        actor=remote + "dave",
        inbox="http://peer.example/inbox",
        state="pending",
        follow_id="f2",
        follow_activity="{}",
    )
    await Moderator.create(group=news, actor=site.staff_uri("alice"), role="owner")
    # a reply stored before its thread (fetched late): its parent has the higher id
    reply = await Post.create(
        group=news,
        object_id="http://peer.example/objects/2",
        type="Note",
        author=remote + "dave",
        content="<p>Agreed</p>",
        document={"type": "Note"},
        published=at(2),
    )
    thread = await Post.create(
        group=news,
        object_id="http://peer.example/objects/1",
        type="Page",
        author=remote + "carol",
        title="Hello",
        content="<p>First</p>",
        document={"type": "Page", "name": "Hello"},
        published=at(1),
        updated=at(3),
        upvotes=1,
        reply_count=1,
        locked=True,
        pinned_at=at(4),
    )
    reply.parent_id = reply.root_id = thread.id  # type: ignore[attr-defined]
    await reply.save()
    await Post.create(
        group=news,
        object_id="http://peer.example/objects/3",
        type="Page",
        author=remote + "dave",
        title="Held",
        document={},
        published=at(5),
        state="held",
        activity={"type": "Create"},
        state_reason="links",
    )
    await Vote.create(post=thread, actor=remote + "dave", value=1, activity_id="http://peer.example/likes/1")
    for n in range(3):
        announce = {"id": f"{site.uri('news')}/activities/{n}", "type": "Announce", "actor": site.uri("news")}
        activity = await OutgoingActivity.create(
            activity_id=announce["id"],
            actor=site.uri("news"),
            type="Announce",
            inner_type="Page",
            payload=json.dumps(announce),
            created_at=time.time(),
        )
        for state in ("done", "pending", "failed"):
            await Delivery.create(
                activity=activity,
                inbox="http://peer.example/inbox",
                host="peer.example",
                order_key=str(n),
                state=state,
                next_try_at=time.time() + 3600,
                updated_at=time.time(),
                last_status=None if state == "pending" else 202,
            )
    await RemoteServer.create(
        host="gone.example", failing_since=time.time() - 9 * 86400, unreachable=True, last_error="timeout"
    )
    await InboxItem.create(
        activity_id="http://peer.example/a/9",
        actor=remote + "carol",
        payload="{}",
        state="failed",
        next_try_at=1.5,
        received_at=1.25,
        error="bad",
    )
    await DomainBlock.create(
        domain="spam.example", severity="suspend", public_comment="spam", reject_media=True
    )
    await DomainBlock.create(domain="noisy.example", community=news, severity="silence")
    await DomainAllow.create(domain="friends.example", comment="trusted")
    await Ban.create(
        community=news,
        actor=remote + "dave",
        reason="rude",
        moderator=site.staff_uri("alice"),
        expires_at=at(28),
    )
    await Report.create(community=news, reporter=remote + "carol", targets=[remote + "dave"], reason="rude")
    await Filter.create(pattern="casino", action="reject")
    await modlog.record(site.staff_uri("alice"), "block_domain", "spam.example", reason="spam")
    await modlog.record(
        site.staff_uri("alice"), "ban", remote + "dave", reason="rude", community="news", details={"days": 30}
    )


@pytest.fixture
async def source(tmp_path: Path) -> Source:
    port = free_port(HOST)
    settings = load_settings(
        dev=True, data_dir=tmp_path / "sqlite", domain=f"{HOST}:{port}", demo_community=False
    )
    await storage.migrate(settings)
    switching_dialect()
    await storage.open_db(settings)
    site = Site(settings.base_url, settings.domain)
    try:
        await populate(site)
    finally:
        await storage.close_db()
    return Source(settings, site, port)


async def dump(settings: Settings, url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as the ORM reads it (typed values: comparable across databases)."""
    await storage.open_db(settings.model_copy(update={"database_url": url}))
    try:
        return {
            model._meta.db_table: await model.all().order_by(model._meta.pk_attr).values()
            for model in Tortoise.apps["fedicom"].values()
        }
    finally:
        await storage.close_db()


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
