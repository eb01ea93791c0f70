"""Each process's index catches up from the log of idea changes: an idea stored or dropped by another
process is seen at the next check, and a change committed late (after one with a larger id) too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fedicom import storage
from fedicom.activitypub.keys import KeyStore
from fedicom.groups.communities import Site, create_community
from fedicom.groups.models import Group, Post, PostState
from fedicom.ideas.catalog import Catalog
from fedicom.ideas.models import ChangeKind, IdeaChange
from fedicom.staff.accounts import name_reserved
from tests.support.db import make_settings


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[None]:
    await storage.open_db(make_settings(tmp_path))
    yield
    await storage.close_db()


async def stored(group: Group, n: int, title: str, *, change: int) -> Post:
    """An idea stored by some process, its change logged as row number `change`."""
    post = await Post.create(
        group=group,
        object_id=f"https://social.example/o/{n}",
        type="Page",
        author="https://social.example/users/alice",
        title=title,
        content="",
        document={},
        published=datetime.now(UTC),
    )
    await IdeaChange.create(id=change, group=group, post=post, kind=ChangeKind.STORED)
    return post


async def ids(catalog: Catalog, group: Group, text: str) -> list[int]:
    return [s.post_id for s in await catalog.similar(group, text)]


async def test_a_change_made_elsewhere_is_seen_at_the_next_check(db: None) -> None:
    group = await create_community(
        KeyStore(), Site("http://h.test", "h.test"), "ideas", kind="ideas", reserved=name_reserved
    )
    dark = await stored(group, 1, "Add a dark mode to the app", change=10)
    here, there = Catalog(), Catalog()  # two processes
    assert await ids(here, group, "dark mode") == [dark.id] == await ids(there, group, "dark mode")

    # another process stores an idea, removes one, and a change with a smaller id commits late
    theme = await stored(group, 2, "A dark theme for the app", change=12)
    await Post.filter(id=dark.id).update(state=PostState.REMOVED)
    await IdeaChange.create(id=13, group=group, post=dark, kind=ChangeKind.STATE, pending=False)
    assert await ids(here, group, "dark mode app") == [theme.id]
    # row 11 was handed out before 12 and 13 but its transaction commits only now
    late = await stored(group, 3, "Dark colours for the app at night", change=11)
    assert await ids(here, group, "dark night colours") == [late.id, theme.id]
    assert await ids(there, group, "dark night colours") == [late.id, theme.id]
