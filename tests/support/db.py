"""Test databases: SQLite copied from a migrated template, or PostgreSQL truncated between tests.

FEDICOM_TEST_DATABASE=postgres://… runs the suite on PostgreSQL (CI does both).
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.migrations.api.migrate import migrate as migrate_api

from fedicom import storage
from fedicom.settings import Settings, load_settings

POSTGRES_URL = os.environ.get("FEDICOM_TEST_DATABASE", "")
_pg_url = ""
_template: Path | None = None
_pg_migrated = False


def backend() -> str:
    return "postgres" if POSTGRES_URL else "sqlite"


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings for a test instance whose database is ready (schema migrated, no rows)."""
    values: dict[str, object] = {"dev": True, "data_dir": data_dir, "demo_community": False}
    values.update(overrides)
    if POSTGRES_URL:
        values.setdefault("database_url", postgres_url())
        settings = load_settings(**values)
        _prepare_postgres(settings)
    else:
        settings = load_settings(**values)
        shutil.copy(_sqlite_template(), data_dir / "fedicom.sqlite3")
    return settings


def _sqlite_template() -> Path:
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="fedicom-template-"))
        settings = load_settings(dev=True, data_dir=folder)
        _in_thread(storage.migrate(settings))
        _template = folder / "fedicom.sqlite3"
    return _template


def postgres_url() -> str:
    """A database of this test run's own, created beside FEDICOM_TEST_DATABASE and dropped at exit.

    Runs in parallel (two developers, a benchmark) then never truncate each other's tables.
    """
    global _pg_url
    if not _pg_url:
        base, _, name = POSTGRES_URL.rpartition("/")
        own = f"{name}_run{os.getpid()}"
        _in_thread(_admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{own}"', f'CREATE DATABASE "{own}"'))
        _pg_url = f"{base}/{own}"
        atexit.register(
            lambda: _in_thread(_admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)'))
        )
    return _pg_url


async def _admin(url: str, *statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def _prepare_postgres(settings: Settings) -> None:
    global _pg_migrated
    if not _pg_migrated:
        _in_thread(storage.migrate(settings))
        _pg_migrated = True
    _in_thread(_truncate(settings))


async def _truncate(settings: Settings) -> None:
    await Tortoise.init(config=storage.tortoise_config(settings), _enable_global_fallback=True)
    conn = connections.get("default")
    _, rows = await conn.execute_query(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'tortoise%'"
    )
    tables = ", ".join(f'"{r["tablename"]}"' for r in rows)
    if tables:
        await conn.execute_script(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    await Tortoise.close_connections()


def _in_thread(coro: object) -> None:
    """Run a coroutine to completion even when called from inside a running event loop."""
    import threading

    error: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coro)  # type: ignore[arg-type]
        except BaseException as exc:
            error.append(exc)

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if error:
        raise error[0]


@asynccontextmanager
async def unmigrated_settings(data_dir: Path) -> AsyncIterator[Settings]:
    """Settings for an empty database no migration has touched (SQLite, or a new PostgreSQL one, dropped
    afterwards): for tests that migrate step by step, as an upgrade does."""
    if not POSTGRES_URL:
        yield load_settings(dev=True, data_dir=data_dir, demo_community=False)
        return
    base, _, _ = POSTGRES_URL.rpartition("/")
    name = f"fedicom_fresh_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    await _admin(POSTGRES_URL, f'CREATE DATABASE "{name}"')
    try:
        yield load_settings(dev=True, data_dir=data_dir, demo_community=False, database_url=f"{base}/{name}")
    finally:
        await _admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def migrate_to(settings: Settings, target: str) -> None:
    """Apply the migrations up to `target` ("fedicom.0003_…") and no further, as an older release did."""
    await migrate_api(config=storage.tortoise_config(settings), target=target)
    await Tortoise.close_connections()


async def old_community(conn: BaseDBAsyncClient, name: str = "old") -> int:
    """A community as migrations 0013 on write it, in plain SQL (the model has grown since); its id."""
    await conn.execute_script(
        "INSERT INTO community (name, title, summary, rules, privacy_policy, private, posting_policy, "
        "sensitive, discoverable, premoderation, notify_refusals, timezone, created_at, updated_at) "
        f"VALUES ('{name}', 'Old', '', '', '', FALSE, 'members', FALSE, TRUE, 'off', TRUE, 'UTC', "
        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    [row] = await conn.execute_query_dict(f"SELECT id FROM community WHERE name = '{name}'")
    return int(row["id"])
