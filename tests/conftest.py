"""Shared fixtures: a loopback fediverse peer and real fedicom instances."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.peer import Peer
from tests.support.servers import Instance, start_instance

pytest_plugins = ["tests.support.cli"]


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    p = Peer()
    await p.start()
    yield p
    await p.stop()


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
