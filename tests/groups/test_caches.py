"""The community and roster caches every inbox POST and post asks: names nobody has are not kept, and
a read begun before this process changed a community or its members is never what is answered next."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from fedicom import storage
from fedicom.app import build_federation
from fedicom.errors import NotFound
from fedicom.groups import context, roster
from fedicom.groups.models import Group, Membership, MembershipState
from tests.support.db import make_settings


@pytest.fixture
async def groups(tmp_path: Path) -> Any:
    settings = make_settings(tmp_path)
    await storage.open_db(settings)
    runtime = build_federation(settings)
    yield runtime.groups
    await runtime.fed.session.close()
    await storage.close_db()


def held_back(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> asyncio.Event:
    """Reads through `module.name` wait, after reading, until the event returned is set."""
    held = asyncio.Event()
    read = getattr(module, name)

    async def slow(*args: Any) -> Any:
        found = await read(*args)
        await held.wait()
        return found

    monkeypatch.setattr(module, name, slow)
    return held


async def test_names_nobody_has_are_not_kept(groups: context.Groups) -> None:
    await Group.create(name="news", title="News")
    for n in range(50):
        with pytest.raises(NotFound):
            await groups.group(f"nobody{n}")
    assert (await groups.group("News")).name == "news"
    assert list(groups._by_name) == ["news"]  # what a flood of made-up names leaves behind


async def test_a_community_read_before_a_change_is_not_kept(groups: context.Groups, monkeypatch) -> None:
    # Given a first read of a community that is still under way when this process changes it
    group = await Group.create(name="news", title="Before")
    held = held_back(monkeypatch, context, "get_community")
    early = asyncio.create_task(groups.group("news"))
    await asyncio.sleep(0.05)
    group.title = "After"
    await group.save()
    groups.forget_group("news")
    held.set()

    # Then that read answers its caller, but the next caller reads the community as changed
    assert (await early).title == "Before"
    assert (await groups.group("news")).title == "After"


async def test_a_roster_read_before_a_change_is_not_kept(groups: context.Groups, monkeypatch) -> None:
    # Given a roster read under way when this process accepts a member
    group = await Group.create(name="news", title="News")
    held = held_back(monkeypatch, roster, "_read_roster")
    early = asyncio.create_task(groups.rosters.of(group))
    await asyncio.sleep(0.05)
    await Membership.create(
        group=group, actor="https://social.example/u/a", inbox="https://social.example/inbox",
        follow_id="https://social.example/follows/1", follow_activity={},
        state=MembershipState.ACCEPTED,
    )  # fmt: skip
    groups.rosters.forget(group.id)
    held.set()

    # Then the next caller has the new member
    assert (await early).members == frozenset()
    assert (await groups.rosters.of(group)).members == {"https://social.example/u/a"}
