"""Migration 0022 on a database holding communities: each becomes a top-level discussion that features
nothing, read by the ORM as before; and it runs backwards."""

from __future__ import annotations

from tortoise import connections

from fedicom import storage
from fedicom.groups.kinds import CommunityKind
from fedicom.groups.models import Group
from fedicom.settings import Settings
from tests.support.db import migrate_to, old_community

BEFORE = "fedicom.0021_recognition"


async def test_existing_communities_become_top_level_discussions(fresh_settings: Settings) -> None:
    await migrate_to(fresh_settings, BEFORE)
    await storage.open_db(fresh_settings)
    try:
        await old_community(connections.get("default"), "old")
    finally:
        await storage.close_db()

    await storage.migrate(fresh_settings)
    await storage.open_db(fresh_settings)
    try:
        old = await Group.get(name="old")
        assert (old.kind, old.parent_id, old.feature_children) == (CommunityKind.DISCUSSION, None, False)  # type: ignore[attr-defined]
        young = await Group.create(name="young", title="Young", parent=old, kind=CommunityKind.IDEAS)
        await old.delete()  # a parent going leaves its children at the top
        await young.refresh_from_db()
        assert young.parent_id is None  # type: ignore[attr-defined]
    finally:
        await storage.close_db()
    await migrate_to(fresh_settings, BEFORE)
