"""Stored activities are processed once, in order; decisions are recorded; crashes are retried."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from fedicom import storage
from fedicom.activitypub import leases
from fedicom.activitypub.inbox import InboxProcessor, InboxWriter, mark_current_done
from fedicom.activitypub.models import InboxItem
from fedicom.errors import Forbidden
from tests.support.db import make_settings


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[None]:
    await storage.open_db(make_settings(tmp_path))
    yield
    await storage.close_db()


async def store(writer: InboxWriter, n: int, kind: str = "Create") -> None:
    activity = {"id": f"https://r.example/a/{n}", "type": kind, "actor": "https://r.example/u"}
    await writer.accept(activity["id"], activity["actor"], None, json.dumps(activity))


async def drain(processor: InboxProcessor) -> None:
    while rows := await leases.claim("inbox_item", "id, recipient, payload, tries", limit=10, lease=30):
        await processor.process_batch(rows)


async def test_each_activity_is_processed_once_in_arrival_order(db: None) -> None:
    seen: list[str] = []

    async def handler(activity: dict[str, Any], _recipient: str | None) -> None:
        async with in_transaction() as conn:  # the handler's own transaction marks the item done
            seen.append(activity["id"])
            await mark_current_done(conn)

    writer = InboxWriter()
    for n in range(25):
        await store(writer, n)
    await store(writer, 3)  # a duplicate delivery of the same id
    await drain(InboxProcessor(handler))
    assert seen == [f"https://r.example/a/{n}" for n in range(25)]
    assert {(i.state, i.tries) for i in await InboxItem.all()} == {("done", 1)}


async def test_a_refusal_is_final_and_recorded(db: None) -> None:
    async def handler(_activity: dict[str, Any], _recipient: str | None) -> None:
        raise Forbidden("only members post in this community")

    await store(InboxWriter(), 1)
    await drain(InboxProcessor(handler))
    item = await InboxItem.get()
    assert (item.state, item.error) == ("done", "only members post in this community")


async def test_a_crash_is_retried_later_and_rolls_back(db: None) -> None:
    async def handler(_activity: dict[str, Any], _recipient: str | None) -> None:
        async with in_transaction() as conn:
            await mark_current_done(conn)
            raise RuntimeError("database hiccup")

    await store(InboxWriter(), 1)
    await drain(InboxProcessor(handler))
    item = await InboxItem.get()
    assert item.state == "pending" and "database hiccup" in (item.error or "")
    assert 25 <= item.next_try_at - time.time() <= 31  # the first retry comes within a minute
