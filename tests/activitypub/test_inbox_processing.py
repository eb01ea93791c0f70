"""Stored activities are processed once, in order; decisions are recorded; crashes are retried; items
share a transaction (in lanes side by side on PostgreSQL) in which each handler's work still commits
with its item or not at all, and a wait on a remote server never holds the database."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from tortoise import connections
from tortoise.transactions import in_transaction

from fedicom import storage
from fedicom.activitypub import inbox, leases
from fedicom.activitypub.fetch import Fetcher
from fedicom.activitypub.inbox import (
    LONGEST_PAUSE,
    SHARE_WHILE_ARRIVING,
    SHARED_WHILE_ARRIVING,
    InboxProcessor,
    InboxWriter,
    lanes_of,
    mark_current_done,
    ordering_keys,
)
from fedicom.activitypub.models import InboxItem, InboxState, RemoteServer
from fedicom.activitypub.netguard import make_client_session
from fedicom.activitypub.shared_transaction import (
    joined_transaction,
    outside_shared_transaction,
    shared_transaction,
    write_with_commit,
)
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


def test_ordering_keys_name_the_actor_and_everything_the_activity_is_about() -> None:
    create = {
        "type": "Create",
        "actor": "https://r.example/u/a",
        "object": {"id": "https://r.example/n/2", "type": "Note", "inReplyTo": "https://l.example/p/1"},
    }
    assert ordering_keys(create) == {
        "https://r.example/u/a",
        "https://r.example/n/2",
        "https://l.example/p/1",
    }
    undo = {
        "type": "Undo",
        "actor": "https://r.example/u/b",
        "object": {"id": "https://r.example/like/9", "type": "Like", "object": "https://r.example/n/2"},
    }
    assert ordering_keys(undo) == {
        "https://r.example/u/b",
        "https://r.example/like/9",
        "https://r.example/n/2",
    }
    flag = {"type": "Flag", "actor": "https://m.example/actor", "object": ["https://r.example/u/a", "x:1"]}
    assert ordering_keys(flag) == {"https://m.example/actor", "https://r.example/u/a", "x:1"}


class Recorder:
    """A handler that takes a while and records when each activity ran, to check overlaps."""

    def __init__(self) -> None:
        self.spans: dict[str, tuple[int, int]] = {}
        self.clock = 0
        self.running = 0
        self.peak = 0

    async def __call__(self, activity: dict[str, Any], _recipient: str | None) -> None:
        self.clock += 1
        start = self.clock
        self.running += 1
        self.peak = max(self.peak, self.running)
        await asyncio.sleep(0.002 * (hash(activity["id"]) % 5))
        self.running -= 1
        self.clock += 1
        self.spans[activity["id"]] = (start, self.clock)


async def store_kinds(kinds: list[str]) -> None:
    """One activity of each kind, numbered in order (`https://r.example/a/N`)."""
    writer = InboxWriter()
    for n, kind in enumerate(kinds):
        await store(writer, n, kind)


def assert_related_in_arrival_order(recorder: Recorder, activities: list[dict[str, Any]]) -> None:
    for i, earlier in enumerate(activities):
        for later in activities[i + 1 :]:
            if ordering_keys(earlier) & ordering_keys(later):
                assert recorder.spans[earlier["id"]][1] < recorder.spans[later["id"]][0], (earlier, later)


async def store_activities(activities: list[dict[str, Any]]) -> None:
    writer = InboxWriter()
    for a in activities:
        await writer.accept(a["id"], a["actor"], None, json.dumps(a))


def mixed_activities() -> list[dict[str, Any]]:
    """Creates by four actors, and Likes of the first posts by others: related and unrelated work."""
    out: list[dict[str, Any]] = []
    for n in range(16):
        actor = f"https://r.example/u/{n % 4}"
        out.append(
            {
                "id": f"https://r.example/c/{n}",
                "type": "Create",
                "actor": actor,
                "object": {"id": f"https://r.example/n/{n}", "type": "Note"},
            }
        )
        if n % 3 == 0:
            out.append(
                {
                    "id": f"https://s.example/l/{n}",
                    "type": "Like",
                    "actor": f"https://s.example/u/{n}",
                    "object": f"https://r.example/n/{n}",
                }
            )
    return out


async def test_related_activities_run_in_arrival_order_and_unrelated_ones_at_once(db: None) -> None:
    """The concurrent path (PostgreSQL's; SQLite's with shared transactions off)."""
    activities = mixed_activities()
    await store_activities(activities)
    recorder = Recorder()
    await drain(InboxProcessor(recorder, concurrency=4, shared=0))
    assert set(recorder.spans) == {a["id"] for a in activities}
    assert_related_in_arrival_order(recorder, activities)
    assert 1 < recorder.peak <= 4


async def test_processing_steps_back_to_short_runs_one_at_a_time_while_requests_arrive(db: None) -> None:
    """A short run holds the database about as long as one item alone; a long one would keep the
    requests arriving from being stored (and answered) meanwhile."""
    activities = mixed_activities()
    await store_activities(activities)
    recorder = Recorder()
    processor = InboxProcessor(recorder, concurrency=4)
    processor.intake_busy = lambda: True
    runs: list[int] = []
    run = processor._run

    async def sized(items: list[Any]) -> list[list[Any]]:
        runs.append(len(items))
        return await run(items)

    processor._run = sized  # type: ignore[method-assign]
    await drain(processor)
    assert recorder.peak == 1
    assert set(recorder.spans) == {a["id"] for a in activities}
    # on SQLite one lane: runs of 8 (of the 10 items each claim takes); PostgreSQL's lanes are shorter
    assert 1 < max(runs) <= SHARED_WHILE_ARRIVING and sum(runs) == len(activities)


@pytest.mark.parametrize("shared", [50, 1])
async def test_processing_takes_a_quarter_of_the_time_at_most_while_requests_arrive(
    db: None, shared: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each short run (or item, where runs do not share a transaction) is followed by a pause three
    times as long, so that requests arriving in a burst are stored and answered at nearly full
    speed; the items wait, durable meanwhile."""
    monkeypatch.setattr(inbox, "LONGEST_PAUSE", 10.0)  # runs of 8 slow items take longer than the cap
    await store_kinds(["Create"] * 16)
    handled = 0.0

    async def handler(_activity: dict[str, Any], _recipient: str | None) -> None:
        nonlocal handled
        started = time.monotonic()
        await asyncio.sleep(0.01)
        handled += time.monotonic() - started

    processor = InboxProcessor(handler, concurrency=4, shared=shared)
    processor.intake_busy = lambda: True
    started = time.monotonic()
    await drain(processor)
    assert handled >= 0.16
    assert time.monotonic() - started >= 0.95 * handled / SHARE_WHILE_ARRIVING


async def test_a_pause_while_requests_arrive_is_short_after_a_long_run(db: None) -> None:
    """A run that waited (on a remote server, say) did not use the time it took: the pause after it
    is capped."""
    await store_kinds(["Create"])

    async def handler(_activity: dict[str, Any], _recipient: str | None) -> None:
        await asyncio.sleep(0.3)

    processor = InboxProcessor(handler)
    processor.intake_busy = lambda: True
    started = time.monotonic()
    await drain(processor)
    assert LONGEST_PAUSE <= 0.1
    assert time.monotonic() - started < 1.0  # capped: 0.3 + 0.1; uncapped: 0.3 + 0.9 at least


def test_lanes_keep_related_items_together_in_arrival_order() -> None:
    """Given Creates by four actors and Likes of some of their posts, when they are split into three
    lanes, then every item is in exactly one lane, items sharing a key (directly or through another)
    are in the same lane in arrival order, and the lanes are used."""
    activities = mixed_activities()
    items = [({"id": n}, a) for n, a in enumerate(activities)]
    lanes = lanes_of(items, 3)
    assert len(lanes) == 3
    assert sorted(row["id"] for lane in lanes for row, _ in lane) == list(range(len(items)))
    lane_of = {row["id"]: i for i, lane in enumerate(lanes) for row, _ in lane}
    for lane in lanes:
        assert [row["id"] for row, _ in lane] == sorted(row["id"] for row, _ in lane)
    for i, (_, earlier) in enumerate(items):
        for j in range(i + 1, len(items)):
            if ordering_keys(earlier) & ordering_keys(items[j][1]):
                assert lane_of[i] == lane_of[j]
    chained = [  # a links b, b links c: one lane although a and c share nothing
        ({"id": 0}, {"id": "a", "type": "Like", "actor": "x", "object": "p"}),
        ({"id": 1}, {"id": "b", "type": "Like", "actor": "y", "object": "p"}),
        ({"id": 2}, {"id": "c", "type": "Like", "actor": "y", "object": "q"}),
        ({"id": 3}, {"id": "d", "type": "Like", "actor": "z", "object": "r"}),
    ]
    assert [[row["id"] for row, _ in lane] for lane in lanes_of(chained, 8)] == [[0, 1, 2], [3]]
    assert lanes_of([], 4) == []


async def test_shared_runs_keep_related_items_in_order_and_lanes_run_side_by_side_on_postgresql(
    db: None,
) -> None:
    activities = mixed_activities()
    await store_activities(activities)
    recorder = Recorder()
    processor = InboxProcessor(recorder, concurrency=4, shared=50)
    commits: list[int] = []
    processor.committed = lambda: commits.append(1)  # the deliveries' worker is told
    await drain(processor)
    assert commits
    assert set(recorder.spans) == {a["id"] for a in activities}
    assert_related_in_arrival_order(recorder, activities)
    sqlite = connections.get("default").capabilities.dialect == "sqlite"
    assert recorder.peak == 1 if sqlite else 1 < recorder.peak <= 4
    assert {(i.state, i.tries) for i in await InboxItem.all()} == {("done", 1)}


# Items in a shared transaction (activitypub/shared_transaction.py)


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

    await store_kinds(["Create", "Crash", "Create", "Flag", "Create"])
    await drain(InboxProcessor(handler, shared=50))

    hosts = set(await RemoteServer.all().values_list("host", flat=True))
    assert hosts == {"h0.example", "h2.example", "h4.example"}
    items = {i.activity_id.rsplit("/", 1)[1]: i for i in await InboxItem.all()}
    assert [items[n].state for n in "0234"] == [InboxState.DONE] * 4
    assert items["3"].error == "not allowed here"
    assert items["1"].state == InboxState.PENDING and items["1"].tries == 1
    assert items["1"].error is not None and "the handler crashed" in items["1"].error


async def test_handlers_join_the_run_and_one_failing_inside_its_transaction_is_processed_again_alone(
    db: None,
) -> None:
    """Given handlers writing in joined transactions (as the federation's are), one refusing inside its
    transaction after writing, one crashing after its transaction, when they are processed in one run,
    then the refusal's writes are rolled back and its reason recorded, the crashed one's transaction
    stands and it waits for a retry, and the others' work commits once."""

    async def handler(activity: dict[str, Any], _recipient: str | None) -> None:
        n = activity["id"].rsplit("/", 1)[1]
        async with joined_transaction() as conn:
            await RemoteServer.create(host=f"h{n}.example", using_db=conn)
            await mark_current_done(conn)
            if activity["type"] == "Flag":
                raise Forbidden("refused after writing")
        if activity["type"] == "Crash":
            raise RuntimeError("the handler crashed")

    await store_kinds(["Create", "Flag", "Create", "Crash", "Create"])
    await drain(InboxProcessor(handler, shared=50))

    assert set(await RemoteServer.all().values_list("host", flat=True)) == {
        "h0.example",
        "h2.example",
        "h3.example",
        "h4.example",
    }
    items = {i.activity_id.rsplit("/", 1)[1]: i for i in await InboxItem.all()}
    assert [(items[n].state, items[n].tries) for n in "0124"] == [(InboxState.DONE, 1)] * 4
    assert items["1"].error == "refused after writing"
    assert items["3"].state == InboxState.PENDING
    assert items["3"].error is not None and "the handler crashed" in items["3"].error


async def test_a_run_spoiled_after_a_network_wait_processes_again_only_what_was_not_committed(
    db: None,
) -> None:
    """Given a run whose second item waits on the network and then fails inside its transaction,
    when it is processed, then the first item (committed before the wait) is not processed again,
    the second is, alone, and the third is processed once."""
    runs: list[str] = []

    async def handler(activity: dict[str, Any], _recipient: str | None) -> None:
        n = activity["id"].rsplit("/", 1)[1]
        runs.append(n)
        if n == "1":
            async with outside_shared_transaction():
                await asyncio.sleep(0)
        async with joined_transaction() as conn:
            await RemoteServer.create(host=f"h{n}.example", using_db=conn)  # unique: twice would fail
            if n == "1" and runs.count("1") == 1:
                raise RuntimeError("fails the first time")

    writer = InboxWriter()
    for n in range(3):
        await store(writer, n)
    await drain(InboxProcessor(handler, shared=50))
    assert runs == ["0", "1", "1", "2"]
    assert set(await RemoteServer.all().values_list("host", flat=True)) == {
        "h0.example",
        "h1.example",
        "h2.example",
    }
    assert {(i.state, i.tries) for i in await InboxItem.all()} == {("done", 1)}


async def test_rows_written_with_the_commit_go_in_order_in_one_statement_and_never_without_the_work(
    db: None,
) -> None:
    """Given backlog rows written with `write_with_commit`, when a run commits they are all there in
    the order written (none before the commit); when a run is spoiled none is; outside a run a row is
    written at once."""
    conn = connections.get("default")
    sql = leases.dialect_sql(
        conn,
        "INSERT INTO inbox_item (activity_id, actor, payload, state, tries, next_try_at, received_at) "
        "VALUES (?, ?, '{}', 'done', 1, 0, 0)",
    )

    async def hosts() -> list[str]:
        return list(await InboxItem.all().order_by("id").values_list("activity_id", flat=True))

    async with shared_transaction() as shared:
        async with joined_transaction() as joined:
            for n in (3, 1, 2):
                await write_with_commit(joined, sql, [f"r{n}.example", "u"])
            assert await hosts() == []  # nothing before the commit
    assert await hosts() == ["r3.example", "r1.example", "r2.example"]

    async with shared_transaction() as shared:
        with pytest.raises(RuntimeError):
            async with joined_transaction() as joined:
                await write_with_commit(joined, sql, ["lost.example", "u"])
                raise RuntimeError("the handler failed")
        assert shared.spoiled
    await write_with_commit(conn, sql, ["now.example", "u"])
    assert await hosts() == ["r3.example", "r1.example", "r2.example", "now.example"]


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

            await store(InboxWriter(), 0)
            arriving = asyncio.ensure_future(arrive())
            started = loop.time()
            await drain(InboxProcessor(handler, shared=50))
            stored_at = await arriving
    finally:
        await runner.cleanup()
    assert stored_at - started < 0.4, "the request waited for the fetch"
    assert await InboxItem.filter(activity_id="https://r.example/late").count() == 1
