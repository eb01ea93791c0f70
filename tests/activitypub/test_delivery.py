"""The delivery queue: signed, deduplicated, retried with backoff, ordered per object, health-aware."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from fedicom import storage
from fedicom.activitypub import backoff, delivery
from fedicom.activitypub.keys import KeyStore
from fedicom.activitypub.models import Delivery, OutgoingActivity, RemoteServer
from fedicom.activitypub.netguard import GuardedResolver, make_client_session
from fedicom.activitypub.signatures import IncomingRequest, verify_request
from tests.support.db import make_settings
from tests.support.dns import FixedResolver

SENDER = "http://sender.test/c/news"


class Inbox:
    """A loopback inbox answering with scripted statuses and checking every signature."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.headers: dict[str, str] = {}
        self.got: list[dict[str, Any]] = []
        self.public_pem = ""
        self.delay = 0.0
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        verify_request(
            IncomingRequest("POST", str(request.url), dict(request.headers), body), self.public_pem
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        status = self.statuses.pop(0) if self.statuses else 202
        if 200 <= status < 300:
            self.got.append(json.loads(body))
        return web.Response(status=status, headers=self.headers)


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[tuple[Inbox, KeyStore, Any]]:
    settings = make_settings(tmp_path)
    await storage.open_db(settings)
    inbox = Inbox()
    app = web.Application()
    app.router.add_post("/inbox", inbox.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    inbox.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/inbox"  # type: ignore[union-attr]
    keys = KeyStore()
    inbox.public_pem = await keys.public_pem(SENDER)
    session = make_client_session(allow_private=True, user_agent="test")
    yield inbox, keys, session
    await session.close()
    await runner.cleanup()
    await storage.close_db()


async def run_until(worker: delivery.DeliveryWorker, done: Any, timeout: float = 10) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    deadline = time.monotonic() + timeout
    try:
        while not await done():
            assert time.monotonic() < deadline, "timed out"
            await asyncio.sleep(0.02)
    finally:
        stop.set()
        await task


def activity(n: int, kind: str = "Create", obj: str = "http://sender.test/p/1") -> dict[str, Any]:
    return {
        "id": f"http://sender.test/a/{n}",
        "type": kind,
        "actor": SENDER,
        "object": {"id": obj, "type": "Note"},
    }


async def states() -> list[str]:
    return [d.state for d in await Delivery.all().order_by("id")]


async def test_one_delivery_per_inbox_signed_and_marked_done(env) -> None:
    inbox, keys, session = env
    await delivery.enqueue(activity(1), actor=SENDER, inboxes=[inbox.url, inbox.url])
    await run_until(new_worker(session, keys), lambda: _all_state("done"))
    assert len(inbox.got) == 1 and inbox.got[0]["id"] == "http://sender.test/a/1"


async def _all_state(state: str) -> bool:
    return all(s == state for s in await states()) and bool(await states())


async def test_server_error_is_retried_within_a_minute_honouring_retry_after(env) -> None:
    inbox, keys, session = env
    inbox.statuses = [503]
    inbox.headers = {"Retry-After": "45"}
    await delivery.enqueue(activity(1), actor=SENDER, inboxes=[inbox.url])
    await run_until(new_worker(session, keys), lambda: _tried_once())
    d = await Delivery.get()
    assert d.state == "pending" and d.last_status == 503
    assert 44 <= d.next_try_at - time.time() <= 46  # Retry-After (45 s) beats the first step (30 s)
    assert (await RemoteServer.get(host=d.host)).failing_since is not None

    # When the retry is due, it goes through and the server counts as healthy again
    await Delivery.filter(id=d.id).update(next_try_at=time.time())
    inbox.headers = {}
    await run_until(new_worker(session, keys), lambda: _all_state("done"))
    server = await RemoteServer.get(host=d.host)
    assert server.failing_since is None and server.last_success is not None


def new_worker(session: Any, keys: KeyStore) -> delivery.DeliveryWorker:
    return delivery.DeliveryWorker(session, keys, allow_private=True)


async def _tried_once() -> bool:
    d = await Delivery.first()
    return d is not None and d.tries == 1


async def test_permanent_refusal_is_not_retried(env) -> None:
    inbox, keys, session = env
    inbox.statuses = [410]
    await delivery.enqueue(activity(1), actor=SENDER, inboxes=[inbox.url])
    await run_until(new_worker(session, keys), lambda: _all_state("failed"))
    assert (await Delivery.get()).last_status == 410


async def test_a_name_resolving_to_a_private_address_fails_at_once_with_its_reason(env) -> None:
    """Like a private IP: refused by us, never retried as if DNS had failed."""
    _, keys, _ = env
    resolver = GuardedResolver(allow_private=False, resolver=FixedResolver(["127.0.0.1", "10.1.2.3"]))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=resolver)) as session:
        await delivery.enqueue(activity(1), actor=SENDER, inboxes=["https://rebind.example/inbox"])
        worker = delivery.DeliveryWorker(session, keys, allow_private=False)
        await run_until(worker, lambda: _all_state("failed"))
    row = await Delivery.get()
    assert row.tries == 1 and row.last_status is None
    assert row.last_error == (
        "refused: rebind.example resolves only to non-public addresses, refused outside development mode"
    )
    # and the server is not marked as failing: nothing is wrong with it, we refuse it
    assert not await RemoteServer.exists(host="rebind.example")


async def test_update_never_overtakes_its_create(env) -> None:
    """Same object, same inbox: strictly in order, even when the first answer is slow."""
    inbox, keys, session = env
    inbox.delay = 0.05
    for n in range(5):
        await delivery.enqueue(
            activity(n, "Create", f"http://sender.test/p/{n}"), actor=SENDER, inboxes=[inbox.url]
        )
        await delivery.enqueue(
            activity(100 + n, "Update", f"http://sender.test/p/{n}"), actor=SENDER, inboxes=[inbox.url]
        )
    await run_until(new_worker(session, keys), lambda: _all_state("done"))
    order = [(a["type"], a["object"]["id"]) for a in inbox.got]
    for n in range(5):
        obj = f"http://sender.test/p/{n}"
        assert order.index(("Create", obj)) < order.index(("Update", obj))


async def test_several_activities_are_recorded_with_their_deliveries_in_the_order_given(env) -> None:
    """Given three activities (one to no inbox, one to an inbox named twice), when they are queued in
    one call, then each is recorded once, each distinct inbox gets one delivery, and the deliveries'
    ids follow the order given (on PostgreSQL both go in one statement)."""
    inboxes = [f"http://h{n}.example/inbox" for n in range(3)]
    items = [
        (activity(1, "Create", "http://sender.test/p/1"), [inboxes[2], inboxes[0], inboxes[2]]),
        (activity(2, "Delete", "http://sender.test/p/2"), []),
        (activity(3, "Update", "http://sender.test/p/1"), [inboxes[1], inboxes[0]]),
    ]
    ids = await delivery.enqueue_many(items, actor=SENDER)
    records = {r.activity_id: r.id for r in await OutgoingActivity.all()}
    assert ids == [records[a["id"]] for a, _ in items]
    rows = (
        await Delivery.all().order_by("id").values_list("activity_id", "inbox", "host", "order_key", "state")
    )
    key = delivery.order_key(items[0][0])
    assert rows == [
        (ids[0], inboxes[2], "h2.example", key, "pending"),
        (ids[0], inboxes[0], "h0.example", key, "pending"),
        (ids[2], inboxes[1], "h1.example", key, "pending"),
        (ids[2], inboxes[0], "h0.example", key, "pending"),
    ]
    assert await delivery.enqueue_many([(activity(4), [])], actor=SENDER) == [
        (await OutgoingActivity.get(activity_id="http://sender.test/a/4")).id
    ]


async def test_distinct_objects_are_sent_concurrently(env) -> None:
    inbox, keys, session = env
    inbox.delay = 0.2
    for n in range(20):
        await delivery.enqueue(
            activity(n, "Create", f"http://sender.test/p/{n}"), actor=SENDER, inboxes=[inbox.url]
        )
    started = time.monotonic()
    await run_until(new_worker(session, keys), lambda: _all_state("done"))
    assert time.monotonic() - started < 2.0  # one at a time would take 4 s


async def test_the_activities_a_claim_needs_are_read_in_one_query_however_many_deliveries_start(
    env, monkeypatch
) -> None:
    # Given three activities, each queued for 20 servers, and the reads of stored activities counted
    inbox, keys, session = env
    servers = [f"{inbox.url}?n={m}" for m in range(20)]
    pks = await delivery.enqueue_many(
        [(activity(n, "Create", f"http://sender.test/p/{n}"), servers) for n in range(3)], actor=SENDER
    )
    reads: list[Any] = []
    read = OutgoingActivity.filter

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(kwargs)
        return read(*args, **kwargs)

    monkeypatch.setattr(OutgoingActivity, "filter", counted)

    # When a claim of their 60 deliveries starts them all at once (as a fan-out does)
    worker = new_worker(session, keys)
    rows = [{"activity_id": pk} for pk in pks for _ in range(20)]
    worker._start_reading({row["activity_id"] for row in rows})
    bodies = await asyncio.gather(*(worker._payload(row["activity_id"]) for row in rows))

    # Then the three were read in one query, and each delivery has its own activity's actor and body
    assert reads == [{"id__in": sorted(pks)}]
    assert {json.loads(body)["id"] for _, body in bodies} == {f"http://sender.test/a/{n}" for n in range(3)}
    for row, (actor, body) in zip(rows, bodies, strict=True):
        assert actor == SENDER and json.loads(body)["id"] == activity(pks.index(row["activity_id"]))["id"]

    # And a delivery started alone reads its activity then; one whose activity is gone fails with why
    worker._payloads.clear()
    assert (await worker._payload(pks[0]))[0] == SENDER and reads[-1] == {"id__in": [pks[0]]}
    with pytest.raises(LookupError, match="is gone"):
        await worker._payload(max(pks) + 1000)


async def test_unreachable_server_is_skipped(env) -> None:
    inbox, keys, session = env
    host = inbox.url.split("/")[2]
    await RemoteServer.create(host=host, unreachable=True, failing_since=time.time() - 4 * 86400)
    await delivery.enqueue(activity(1), actor=SENDER, inboxes=[inbox.url])
    worker = new_worker(session, keys)
    worker.lease = 0.3  # the skip sweep runs with lease renewal
    await run_until(worker, lambda: _all_state("skipped"))
    assert inbox.got == []


def test_backoff_schedule() -> None:
    assert backoff.retry_delay(1) == 30
    assert backoff.retry_delay(2) > backoff.retry_delay(1)
    assert backoff.retry_delay(1, retry_after=3600) == 3600
    assert backoff.retry_delay(1, retry_after=10**9) == backoff.MAX_RETRY_AFTER
    assert backoff.retry_delay(len(backoff.SCHEDULE) + 1) is None
    assert backoff.is_permanent(404) and not backoff.is_permanent(429) and not backoff.is_permanent(503)
    assert backoff.parse_retry_after("120", 0) == 120
    assert backoff.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 0) > 0
    assert backoff.parse_retry_after("soon", 0) is None
    assert backoff.parse_retry_after("²", 0) is None  # isdigit() alone takes it, and float() refuses it


async def test_finished_jobs_are_pruned_and_pending_ones_kept(env) -> None:
    from fedicom.activitypub.federation import INBOX_DEDUPE_WINDOW, prune
    from fedicom.activitypub.models import InboxItem

    inbox, _, _ = env
    await delivery.enqueue(activity(1), actor=SENDER, inboxes=[inbox.url, "http://other.test/inbox"])
    old = time.time() - 2 * 86400
    first = await Delivery.first()
    assert first is not None
    await Delivery.filter(id=first.id).update(state="done", updated_at=old)
    for n, received in enumerate([time.time() - INBOX_DEDUPE_WINDOW - 1, time.time()]):
        await InboxItem.create(
            activity_id=f"http://x.test/{n}",
            actor="http://x.test/u",
            payload="{}",
            state="done",
            next_try_at=received,
            received_at=received,
        )
    await prune(time.time())
    assert await states() == ["pending"]
    assert [i.activity_id for i in await InboxItem.all()] == ["http://x.test/1"]
