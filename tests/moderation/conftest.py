"""What the moderation tests share: more loopback servers, each on its own address as separate hosts
are, and cheap password hashing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from argon2 import PasswordHasher

from fedicom.moderation import staff
from tests.support.peer import Peer, serving


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Staff accounts are made in most tests: argon2id with the smallest cost instead of ~0.1 s of CPU
    each. test_staff.py overrides this fixture and checks the production parameters."""
    monkeypatch.setattr(staff, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
async def far_peer() -> AsyncIterator[Peer]:
    """A second server (127.0.0.2), beside the `peer` fixture's 127.0.0.1."""
    async with serving("127.0.0.2") as p:
        yield p


@pytest.fixture
async def third_peer() -> AsyncIterator[Peer]:
    """A third server (127.0.0.3)."""
    async with serving("127.0.0.3") as p:
        yield p
