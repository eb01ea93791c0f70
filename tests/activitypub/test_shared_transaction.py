"""Inbox items processed in a shared transaction (SQLite's path): each handler's own transaction still
commits with its item or not at all, and a wait on a remote server never holds the database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from tortoise.transactions import in_transaction

from fedicom import storage
from fedicom.activitypub import leases
from fedicom.activitypub.fetch import Fetcher
from fedicom.activitypub.inbox import InboxProcessor, InboxWriter, mark_current_done
from fedicom.activitypub.models import InboxItem, InboxState, RemoteServer
from fedicom.activitypub.netguard import make_client_session
from fedicom.activitypub.shared_transaction import outside_shared_transaction, shared_transaction
from fedicom.errors import Forbidden
from tests.support.db import make_settings


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[None]:
    await storage.open_db(make_settings(tmp_path))
    yield
    await storage.close_db()


async def _store(*kinds: str) -> None:
    writer = InboxWriter()
    for n, kind in enumerate(kinds):
        activity = {"id": f"https://r.example/a/{n}", "type": kind, "actor": "https://r.example/u"}
        await writer.accept(activity["id"], activity["actor"], None, json.dumps(activity))


async def _process(processor: InboxProcessor) -> None:
    while rows := await leases.claim("inbox_item", "id, recipient, payload, tries", limit=100, lease=30):
        await processor.process_batch(rows)


async def test_each_items_work_commits_with_it_and_a_failing_one_loses_only_its_own(db: None) -> None:
    """Given items whose handlers write in their own transactions, one of them crashing after writing
    and one refusing, when they are processed together, then the others' work and done marks commit,
    the crashed one's writes are rolled back and it waits for a retry, and the refusal is recorded."""

    async def handler(activity: dict[str, Any], _recipient: str | None) -> None:
        n = activity["id"].rsplit("/", 1)[1]
        if activity["type"] == "Flag":
            raise Forbidden("not allowed here")
        async with in_transaction() as conn:
            await RemoteServer.create(host=f"h{n}.example", using_db=conn)
            await mark_current_done(conn)
            if activity["type"] == "Crash":
                raise RuntimeError("the handler crashed")

    await _store("Create", "Crash", "Create", "Flag", "Create")
    await _process(InboxProcessor(handler, shared=50))

    hosts = set(await RemoteServer.all().values_list("host", flat=True))
    assert hosts == {"h0.example", "h2.example", "h4.example"}
    items = {i.activity_id.rsplit("/", 1)[1]: i for i in await InboxItem.all()}
    assert [items[n].state for n in "0234"] == [InboxState.DONE] * 4
    assert items["3"].error == "not allowed here"
    assert items["1"].state == InboxState.PENDING and items["1"].tries == 1
    assert items["1"].error is not None and "the handler crashed" in items["1"].error


async def test_what_was_done_before_a_network_wait_is_committed_and_the_database_is_free_meanwhile(
    db: None,
) -> None:
    """Given a shared transaction with work in it, when a handler waits on the network, then that work
    is committed first, other tasks use the database during the wait, and what follows is a new
    transaction (rolled back alone when the run fails)."""
    during: list[int] = []
    with pytest.raises(RuntimeError):
        async with shared_transaction():
            await RemoteServer.create(host="before.example")
            async with outside_shared_transaction():
                other = asyncio.ensure_future(RemoteServer.filter(host="before.example").count())
                during.append(await asyncio.wait_for(other, timeout=5))
            await RemoteServer.create(host="after.example")
            raise RuntimeError("the run fails after the wait")
    assert during == [1]
    assert set(await RemoteServer.all().values_list("host", flat=True)) == {"before.example"}


async def test_a_fetch_during_processing_does_not_hold_the_database(db: None) -> None:
    """Given a handler fetching from a server that takes 0.5 s, when it runs in a shared transaction,
    then activities arriving meanwhile are stored at once, not after the fetch."""
    app = web.Application()

    async def slow(_request: web.Request) -> web.Response:
        await asyncio.sleep(0.5)
        return web.json_response({"type": "Note"}, content_type="application/activity+json")

    app.router.add_get("/note", slow)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    loop = asyncio.get_running_loop()
    try:
        async with make_client_session(allow_private=True, user_agent="fedicom-test") as session:
            fetcher = Fetcher(session, allow_private=True)

            fetching = asyncio.Event()

            async def handler(activity: dict[str, Any], _recipient: str | None) -> None:
                await RemoteServer.create(host="fetching.example")  # work before the wait
                fetching.set()
                await fetcher.get_json(f"http://{host}:{port}/note")

            async def arrive() -> float:
                """A request's task (begun outside processing, as the web server's are)."""
                await fetching.wait()
                await asyncio.sleep(0.05)
                await InboxWriter().accept("https://r.example/late", "u", None, json.dumps({"type": "Like"}))
                return loop.time()

            await _store("Create")
            arriving = asyncio.ensure_future(arrive())
            started = loop.time()
            await _process(InboxProcessor(handler, shared=50))
            stored_at = await arriving
    finally:
        await runner.cleanup()
    assert stored_at - started < 0.4, "the request waited for the fetch"
    assert await InboxItem.filter(activity_id="https://r.example/late").count() == 1
