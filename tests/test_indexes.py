"""The indexes the models declare exist after migrating, on SQLite and PostgreSQL, and come back
when something (a SQLite table rebuild) dropped them; see fedicom/indexes.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from tortoise import connections

from fedicom import doctor, indexes, storage
from fedicom.activitypub.keys import KeyStore
from fedicom.errors import FedicomError
from fedicom.groups.communities import Site, create_community
from fedicom.groups.models import Membership
from fedicom.staff.accounts import name_reserved
from tests.support.db import make_settings

OBJECT_ID = ("post", ("object_id",))
MEMBER = ("membership", ("group_id", "actor"))


def _find(found: list[indexes.Index], table: str, columns: tuple[str, ...]) -> indexes.Index:
    return next(i for i in found if (i.table, i.columns) == (table, columns))


async def test_every_declared_index_exists_after_migrating(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    await storage.open_db(settings)
    try:
        conn = connections.get("default")
        declared = indexes.declared(conn)
        assert _find(declared, *OBJECT_ID).unique is False
        assert _find(declared, *MEMBER).unique is True
        assert await indexes.missing(conn) == []
        assert (await doctor.check_migrations(settings)).status == "ok"
    finally:
        await storage.close_db()


async def test_a_dropped_index_is_reported_by_doctor_and_restored_by_migrate(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    await storage.open_db(settings)
    try:
        conn = connections.get("default")
        index = _find(indexes.declared(conn), *OBJECT_ID)
        await conn.execute_script(f'DROP INDEX "{index.name}"')
        assert await indexes.missing(conn) == [index]
        check = await doctor.check_migrations(settings)
        assert check.status == "warn" and "post (object_id)" in check.summary
        assert "fedicom migrate" in check.fix
    finally:
        await storage.close_db()
    await storage.migrate(settings)
    await storage.open_db(settings)
    try:
        assert await indexes.missing(connections.get("default")) == []
    finally:
        await storage.close_db()


async def test_a_unique_index_that_rows_break_stops_migrate_naming_it(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    await storage.open_db(settings)
    try:
        conn = connections.get("default")
        index = _find(indexes.declared(conn), *MEMBER)
        if conn.capabilities.dialect == "postgres":  # there, the unique index belongs to a constraint
            await conn.execute_script(f'ALTER TABLE membership DROP CONSTRAINT "{index.name}"')
        else:
            await conn.execute_script(f'DROP INDEX "{index.name}"')
        site = Site(settings.base_url, settings.domain)
        group = await create_community(KeyStore(), site, "twice", reserved=name_reserved)
        for _ in range(2):
            await Membership.create(
                group=group,
                actor="https://a.example/u/x",
                inbox="https://a.example/inbox",
                follow_id="f",
                follow_activity="{}",
            )
    finally:
        await storage.close_db()
    with pytest.raises(FedicomError, match=r"unique membership \(group_id, actor\)"):
        await storage.migrate(settings)
