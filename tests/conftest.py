"""Shared fixtures: a loopback fediverse peer and real fedicom instances."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from fedicom.settings import Settings
from fedicom.staff import accounts as staff
from tests.support.db import unmigrated_settings
from tests.support.objectstore import ObjectStore, seaweedfs
from tests.support.peer import Peer, serving
from tests.support.servers import Instance, start_instance

pytest_plugins = ["tests.support.cli"]


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Staff accounts are made in many tests: argon2id with the smallest cost instead of ~0.1 s of CPU
    each. tests/moderation/test_staff.py overrides this fixture and checks the production parameters."""
    monkeypatch.setattr(staff, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
async def fresh_settings(tmp_path: Path) -> AsyncIterator[Settings]:
    """Settings for an empty database that no migration has touched (SQLite, or a new PostgreSQL one)."""
    async with unmigrated_settings(tmp_path) as settings:
        yield settings


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    p = Peer()
    await p.start()
    yield p
    await p.stop()


@pytest.fixture
async def far_peer() -> AsyncIterator[Peer]:
    """A second server (127.0.0.2), beside the `peer` fixture's 127.0.0.1: separate hosts."""
    async with serving("127.0.0.2") as p:
        yield p


@pytest.fixture
async def third_peer() -> AsyncIterator[Peer]:
    """A third server (127.0.0.3)."""
    async with serving("127.0.0.3") as p:
        yield p


@pytest.fixture
async def instance(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[Instance]]]:
    """Factory: `await instance(**settings)` starts a fedicom server on loopback (one per test)."""
    started: list[Instance] = []

    async def start(**overrides: Any) -> Instance:
        inst = await start_instance(tmp_path / f"i{len(started)}", **overrides)
        started.append(inst)
        return inst

    yield start
    for inst in started:
        await inst.stop()


@pytest.fixture
async def object_store(tmp_path: Path) -> AsyncIterator[ObjectStore]:
    """A real S3-compatible object store (SeaweedFS) on loopback with an empty bucket, for this test."""
    async with seaweedfs(tmp_path / "seaweedfs") as store:
        yield store
