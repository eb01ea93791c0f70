"""Fixtures of the deployment tests: a PostgreSQL database of their own, a populated SQLite instance."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from fedicom import storage
from fedicom.groups.communities import Site
from fedicom.settings import load_settings
from tests.deploy.populated import HOST, POSTGRES, Source, populate, switching_dialect
from tests.support.servers import free_port


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


@pytest.fixture(autouse=True)
def _dialect_cache() -> Iterator[None]:
    """Other tests of the run use the suite's own database: leave them a cache of their dialect."""
    switching_dialect()
    yield
    switching_dialect()


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
