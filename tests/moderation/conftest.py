"""What the moderation tests share: more loopback servers, each on its own address as separate hosts
are."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.peer import Peer, serving


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
